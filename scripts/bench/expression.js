// node's side of scripts/bench/expression: the same columns compiled with new Function,
// over the same users (JSON-parsed first), timing only the evaluation loop.
const fs = require('fs');
// Read as bytes and split at newlines: a file past 512 MB is too long for one JS string.
const buf = fs.readFileSync(process.argv[2]);
const users = [];
for (let start = 0; start < buf.length;) {
  let end = buf.indexOf(10, start);
  if (end < 0) end = buf.length;
  if (end > start) users.push(JSON.parse(buf.toString('utf8', start, end)));
  start = end + 1;
}
const columns = JSON.parse(process.argv[3]);
const fns = columns.map(c => new Function('user', 'return (' + c + ')'));
const cell = v => v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
let best = Infinity, checksum = 0;
for (let r = 0; r < 3; r++) {
  checksum = 0;
  const t = process.hrtime.bigint();
  for (const u of users) for (const f of fns) { let v; try { v = f(u); } catch (e) { continue; } checksum += cell(v).length; }
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
}
console.log(`node: ${users.length} users x ${fns.length} columns in ${best.toFixed(3)} s (${(users.length / best).toFixed(0)} users/s), checksum ${checksum}`);
