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
  private constructor(
    private readonly privateKey: crypto.KeyObject,
    readonly publicKey: crypto.KeyObject,
  ) {
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = crypto.createHash('sha256').update(spki).digest('hex').slice(0, 16);
  }

  static fromPem(pem: string): AuditSigner {
    const privateKey = crypto.createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be an Ed25519 private key (PEM)');
    return new AuditSigner(privateKey, crypto.createPublicKey(privateKey));
  }

  /** The key from `RUNLEDGER_AUDIT_SIGNING_KEY`, or the data directory's, generated on first use. */
  static load(dataDir: string, pemFromEnv: string | undefined): AuditSigner {
    if (pemFromEnv) return AuditSigner.fromPem(pemFromEnv);
    const file = path.join(dataDir, SIGNING_KEY_FILE);
    if (fs.existsSync(file)) return AuditSigner.fromPem(fs.readFileSync(file, 'utf8'));
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, pem, { mode: 0o600 });
    return AuditSigner.fromPem(pem);
  }

  sign(hash: string): string {
    return crypto.sign(null, Buffer.from(hash, 'hex'), this.privateKey).toString('base64');
  }

  verify(hash: string, signature: string): boolean {
    try {
      return crypto.verify(null, Buffer.from(hash, 'hex'), this.publicKey, Buffer.from(signature, 'base64'));
    } catch {
      return false;
    }
  }

  /** PEM of the public key, for an auditor who verifies exported checkpoints elsewhere. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }
}
