// jose takes a raw secret (a Uint8Array) and imports it into WebCrypto again on every sign and verify, and
// that import cost more than the HMAC itself: on the bench machine about 90-135 µs of CPU per HS256 verify
// with the raw secret, 30-40 µs with a key imported once (bench/tmp measurements, issue 12.5). So each
// secret is imported once, on first use, and the CryptoKey handed to jose from then on.

/** The HMAC-SHA-256 key for `raw`, imported into WebCrypto once, when first asked for. */
export function hmacKey(raw: Uint8Array): () => Promise<CryptoKey> {
  let key: Promise<CryptoKey> | undefined;
  return () => (key ??= crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']));
}
