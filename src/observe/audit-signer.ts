import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';

/**
 * The Ed25519 key that signs audit checkpoints. It lives outside the database (in the data directory,
 * mode 0600, or `RUNLEDGER_AUDIT_SIGNING_KEY` as PEM), so whoever can rewrite the database cannot
 * sign a checkpoint for the rewritten chains.
 */
export class AuditSigner {
  readonly keyId: string;
  /** Where the key came from, for messages: the environment variable or the file. */
  source = 'given';
  /** The key that authenticates each audit event (HMAC-SHA256), derived from the signing key. */
  readonly #macKey: Buffer;
  private constructor(
    private readonly privateKey: crypto.KeyObject,
    readonly publicKey: crypto.KeyObject,
  ) {
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = crypto.createHash('sha256').update(spki).digest('hex').slice(0, 16);
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    this.#macKey = Buffer.from(crypto.hkdfSync('sha256', pkcs8, Buffer.alloc(0), 'runledger audit event authentication v1', 32));
  }

  static fromPem(pem: string): AuditSigner {
    const privateKey = crypto.createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 private key (PEM)');
    return new AuditSigner(privateKey, crypto.createPublicKey(privateKey));
  }

  /** The key from `RUNLEDGER_AUDIT_SIGNING_KEY`, or the data directory's, generated on first use. */
  static load(dataDir: string, pemFromEnv: string | undefined): AuditSigner {
    const from = (signer: AuditSigner, source: string): AuditSigner => Object.assign(signer, { source });
    if (pemFromEnv) return from(AuditSigner.fromPem(pemFromEnv), 'from RUNLEDGER_AUDIT_SIGNING_KEY');
    const file = path.join(dataDir, SIGNING_KEY_FILE);
    if (fs.existsSync(file)) return from(AuditSigner.fromPem(fs.readFileSync(file, 'utf8')), `from ${file}`);
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, pem, { mode: 0o600 });
    return from(AuditSigner.fromPem(pem), `generated in ${file}`);
  }

  sign(hash: string): string {
    return crypto.sign(null, Buffer.from(hash, 'hex'), this.privateKey).toString('base64');
  }

  /** Signs a statement (a key registration) as it is. */
  signText(text: string): string {
    return crypto.sign(null, Buffer.from(text), this.privateKey).toString('base64');
  }

  verifyText(text: string, signature: string): boolean {
    try {
      return crypto.verify(null, Buffer.from(text), this.publicKey, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }

  verify(hash: string, signature: string): boolean {
    try {
      return crypto.verify(null, Buffer.from(hash, 'hex'), this.publicKey, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }

  /**
   * Authenticates one audit event by its hash (which covers its content and the chain before it):
   * forging or rewriting an event then needs this key, which is not in the database.
   */
  authenticate(eventHash: string): string {
    return crypto.createHmac('sha256', this.#macKey).update(eventHash).digest('hex');
  }

  isAuthentic(eventHash: string, mac: string): boolean {
    const expected = Buffer.from(this.authenticate(eventHash), 'hex');
    const given = Buffer.from(mac, 'hex');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  /** PEM of the public key, for an auditor who verifies exported checkpoints elsewhere. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}
