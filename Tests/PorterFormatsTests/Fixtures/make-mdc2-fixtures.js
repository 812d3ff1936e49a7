// Generates mdc2-fixtures.json with node's own MDC-2 (OpenSSL's mdc2dgst.c, behind
// --openssl-legacy-provider), independent of porter's (Sources/PorterFormats/MDC2.swift, on DES):
// pbkdf2 hashes with every node name of the digest, each with the right and a wrong password.
// The output is committed; run: node --openssl-legacy-provider make-mdc2-fixtures.js > mdc2-fixtures.json
const crypto = require("crypto");
const pw = "correct horse battery staple é", wrong = pw + "x";
const out = { digests: [], pbkdf2: [] };
for (const input of ["", "a", "abcdefgh", "Now is the time for all ", pw]) {
    out.digests.push({ input, mdc2: crypto.createHash("mdc2").update(input, "utf8").digest("hex"),
                       hmac: crypto.createHmac("mdc2", "key").update(input, "utf8").digest("hex") });
}
const ab64 = b => b.toString("base64").replace(/=+$/, "");
for (const name of ["mdc2", "RSA-MDC2", "mdc2WithRSA"]) {
    for (const [rounds, length, salt] of [[1000, 32, "pbkdf2-salt-16by"], [1, 16, "s"], [3, 40, "a longer salt than one block"]]) {
        const dk = crypto.pbkdf2Sync(Buffer.from(pw, "utf8"), Buffer.from(salt), rounds, length, name);
        const value = `$pbkdf2-${name}$i=${rounds},l=${length}$${ab64(Buffer.from(salt))}$${ab64(dk)}`;
        for (const [password, expect] of [[pw, "match"], [wrong, "mismatch"]]) {
            out.pbkdf2.push({ name: `pbkdf2-${name}-${rounds}-${length}`, password, expect,
                              custom_password_hash: { algorithm: "pbkdf2", hash: { value, encoding: "utf8" } } });
        }
    }
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
