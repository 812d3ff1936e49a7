// OpenSSL's libcrypto, only for the digests swift-crypto does not have: md4, ripemd160 and
// whirlpool live in OpenSSL 3's legacy provider, which must be loaded (with the default one,
// since loading any provider turns off the automatic default) before they can be fetched.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/provider.h>
#include <pthread.h>

static pthread_once_t porter_providers_once = PTHREAD_ONCE_INIT;

static inline void porter_load_providers(void) {
    OSSL_PROVIDER_try_load(NULL, "default", 1);
    OSSL_PROVIDER_try_load(NULL, "legacy", 1);
}

/// Fetches a digest by OpenSSL name, from the default or the legacy provider (loaded once,
/// not at every call); NULL if absent.
static inline EVP_MD *porter_fetch_md(const char *name) {
    pthread_once(&porter_providers_once, porter_load_providers);
    return EVP_MD_fetch(NULL, name, NULL);
}

/// out must hold EVP_MAX_MD_SIZE bytes; returns the digest length, or -1.
static inline int porter_digest(const char *name, const unsigned char *in, size_t len, unsigned char *out) {
    EVP_MD *md = porter_fetch_md(name);
    if (!md) return -1;
    unsigned int n = 0;
    int ok = EVP_Digest(in, len, out, &n, md, NULL);
    EVP_MD_free(md);
    return ok ? (int)n : -1;
}

static inline int porter_hmac(const char *name, const unsigned char *key, int keylen, const unsigned char *in, size_t len, unsigned char *out) {
    EVP_MD *md = porter_fetch_md(name);
    if (!md) return -1;
    unsigned int n = 0;
    unsigned char *r = HMAC(md, key, keylen, in, len, out, &n);
    EVP_MD_free(md);
    return r ? (int)n : -1;
}

static inline int porter_pbkdf2(const char *name, const char *pw, int pwlen, const unsigned char *salt, int saltlen, int iter, unsigned char *out, int outlen) {
    EVP_MD *md = porter_fetch_md(name);
    if (!md) return 0;
    int ok = PKCS5_PBKDF2_HMAC(pw, pwlen, salt, saltlen, iter, md, outlen, out);
    EVP_MD_free(md);
    return ok;
}

/// One DES block (ECB, no padding) from the legacy provider: MDC-2 is built on it (OpenSSL
/// builds without MDC2 still have DES). Returns 1, or 0 if DES cannot be fetched.
static inline int porter_des_block(const unsigned char *key, const unsigned char *in, unsigned char *out) {
    pthread_once(&porter_providers_once, porter_load_providers);
    static EVP_CIPHER *des = NULL;
    if (!des) des = EVP_CIPHER_fetch(NULL, "DES-ECB", NULL);
    if (!des) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx) return 0;
    int n = 0, ok = EVP_EncryptInit_ex2(ctx, des, key, NULL, NULL) && EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_EncryptUpdate(ctx, out, &n, in, 8) && n == 8;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/// Whether OpenSSL has the digest `name`.
static inline int porter_has_md(const char *name) {
    EVP_MD *md = porter_fetch_md(name);
    if (!md) return 0;
    EVP_MD_free(md);
    return 1;
}
