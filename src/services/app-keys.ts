/**
 * Signing keys of apps (Okta's "Application SSO Credential Keys"): an RSA-2048 key pair with a
 * self-signed X.509 certificate (SHA-256 with RSA) per key, kept in `signing_keys` with owner type
 * `app`. SAML and WS-Federation apps sign with them; which key signs is the app's
 * `credentials.signing.kid`, kept by the apps service, so every app key here is simply ACTIVE.
 *
 * The private key is a PKCS #8 PEM sealed by the vault under `app-signing-key:{kid}`; the row
 * holds the certificate as PEM and the public JWK in Okta's shape (`x5c`, `x5t#S256`, `expiresAt`).
 *
 * A key cloned to another app keeps its kid (as at Okta, so the target app can sign with the same
 * certificate). `signing_keys` is keyed by (org, kid), so a clone's row is stored under
 * `{kid}:{appId}`; the service speaks only of the public kid (records it returns carry it in `kid`),
 * and the sealed private key is copied unchanged (same org, same context: it opens as it is).
 */
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { AppError, notFound } from '../kernel/errors.ts';
import { randomBase62 } from '../kernel/ids.ts';
import type { Vault } from '../vault/envelope.ts';
import type { ServiceDeps } from './deps.ts';
import type { SigningKeyRecord, Store } from './ports.ts';

/** Okta's prefix for app key credential ids (e.g. `akm5hvbbevE341ovl0h7`). */
const kidPrefix = 'akm';
export const minValidityYears = 2;
export const maxValidityYears = 10;

const sealContext = (kid: string) => `app-signing-key:${kid}`;
const cloneRowKid = (kid: string, appId: string) => `${kid}:${appId}`;

export interface SigningMaterial {
  readonly kid: string;
  readonly privateKeyPem: string;
  readonly certificatePem: string;
  /** The certificate's DER in standard base64 (for `ds:X509Certificate` and metadata). */
  readonly certificateBase64: string;
}

function pem(label: string, der: Buffer): string {
  const body = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** Base64 of the DER inside a PEM certificate. */
function pemBody(certificatePem: string): string {
  return certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/**
 * Just enough DER (ITU-T X.690) to write a self-signed certificate (RFC 5280). Written here rather
 * than taken from an X.509 library: the certificate has a fixed shape, and the tests check every
 * one with OpenSSL.
 */
const der = {
  length(n: number): Buffer {
    if (n < 0x80) return Buffer.from([n]);
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    return Buffer.from([0x80 | bytes.length, ...bytes]);
  },
  tlv(tag: number, ...content: Buffer[]): Buffer {
    const body = Buffer.concat(content);
    return Buffer.concat([Buffer.from([tag]), der.length(body.length), body]);
  },
  seq: (...content: Buffer[]) => der.tlv(0x30, ...content),
  set: (...content: Buffer[]) => der.tlv(0x31, ...content),
  /** A non-negative INTEGER from its big-endian magnitude. */
  uint(magnitude: Buffer): Buffer {
    let start = 0;
    while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
    const bytes = magnitude.subarray(start);
    return der.tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
  },
  oid(dotted: string): Buffer {
    const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
    const bytes = [first * 40 + second];
    for (const arc of rest) {
      const groups = [arc & 0x7f];
      for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
      bytes.push(...groups);
    }
    return der.tlv(0x06, Buffer.from(bytes));
  },
  null: () => der.tlv(0x05),
  bool: (value: boolean) => der.tlv(0x01, Buffer.from([value ? 0xff : 0])),
  utf8: (text: string) => der.tlv(0x0c, Buffer.from(text, 'utf8')),
  octets: (bytes: Buffer) => der.tlv(0x04, bytes),
  bits: (bytes: Buffer, unusedBits = 0) => der.tlv(0x03, Buffer.from([unusedBits]), bytes),
  /** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
  time(date: Date): Buffer {
    const digits = date.toISOString().slice(0, 19).replace(/[-:T]/g, '');
    const year = date.getUTCFullYear();
    return year >= 1950 && year < 2050 ? der.tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : der.tlv(0x18, Buffer.from(`${digits}Z`));
  },
};

const oids = {
  rsaEncryption: '1.2.840.113549.1.1.1', sha256WithRsa: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3', organization: '2.5.4.10', organizationalUnit: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14', keyUsage: '2.5.29.15', basicConstraints: '2.5.29.19',
};

/** `O=Lanyard, OU=SSOProvider, CN={cn}` in ASN.1 order (RFC 4514 writes it `CN=…,OU=SSOProvider,O=Lanyard`). */
function distinguishedName(commonName: string): Buffer {
  const rdn = (oid: string, value: string) => der.set(der.seq(der.oid(oid), der.utf8(value)));
  return der.seq(rdn(oids.organization, 'Lanyard'), rdn(oids.organizationalUnit, 'SSOProvider'), rdn(oids.commonName, commonName));
}

/** A self-signed v3 certificate for an RSA key: SHA-256 with RSA, not a CA, for digital signatures. */
function selfSignedCertificate(key: { publicJwk: { n: string; e: string }; privateKey: KeyObject }, commonName: string,
  serial: Buffer, notBefore: Date, notAfter: Date): Buffer {
  const rsaPublicKey = der.seq(der.uint(Buffer.from(key.publicJwk.n, 'base64url')), der.uint(Buffer.from(key.publicJwk.e, 'base64url')));
  const spki = der.seq(der.seq(der.oid(oids.rsaEncryption), der.null()), der.bits(rsaPublicKey));
  const signatureAlgorithm = der.seq(der.oid(oids.sha256WithRsa), der.null());
  const name = distinguishedName(commonName);
  const extension = (oid: string, critical: boolean, value: Buffer) => der.seq(der.oid(oid), ...(critical ? [der.bool(true)] : []), der.octets(value));
  const tbs = der.seq(
    der.tlv(0xa0, der.uint(Buffer.from([2]))), // v3
    der.uint(serial),
    signatureAlgorithm,
    name,
    der.seq(der.time(notBefore), der.time(notAfter)),
    name,
    spki,
    der.tlv(0xa3, der.seq(
      extension(oids.basicConstraints, true, der.seq()),
      extension(oids.keyUsage, true, der.bits(Buffer.from([0x80]), 7)), // digitalSignature
      extension(oids.subjectKeyIdentifier, false, der.octets(createHash('sha1').update(rsaPublicKey).digest())),
    )),
  );
  return der.seq(tbs, signatureAlgorithm, der.bits(sign('sha256', tbs, key.privateKey)));
}

/** A positive 128-bit serial number without a leading zero octet. */
function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes;
}

const newRsaKey = promisify(generateKeyPair);

const alreadyThere = () => new AppError('request.validation_failed', {
  detail: 'cloneKey', causes: ['Key already exists in the list of key credentials for the target app.'],
});

/** The public kid of a stored key (a clone's row kid carries the app id too). */
const publicKid = (row: SigningKeyRecord): string => String(row.publicJwk.kid ?? row.kid);

/** The record as the service hands it out: `kid` is the public kid. */
const exposed = (row: SigningKeyRecord): SigningKeyRecord => ({ ...row, kid: publicKid(row) });

export function createAppKeyService(deps: ServiceDeps, vault: Vault) {
  const { store, clock } = deps;

  const rows = (orgId: string, appId: string, from: Store = store) => from.forOrg(orgId).signingKeys.listForOwner('app', appId);

  async function findRow(orgId: string, appId: string, kid: string): Promise<SigningKeyRecord | undefined> {
    return (await rows(orgId, appId)).find((row) => publicKid(row) === kid);
  }

  /** A new key pair and certificate for the app, stored ACTIVE. Not for use inside a transaction. */
  async function generate(orgId: string, appId: string, validityYears: number = maxValidityYears): Promise<SigningKeyRecord> {
    if (!Number.isInteger(validityYears) || validityYears < minValidityYears || validityYears > maxValidityYears) {
      throw new AppError('request.validation_failed', {
        detail: 'generateKey', causes: [`Validity years out of range. It should be ${minValidityYears} - ${maxValidityYears} years`],
      });
    }
    const org = await store.orgs.findById(orgId);
    if (!org) throw notFound('Org', orgId);
    const now = clock.now();
    // Certificates carry whole seconds: so do the timestamps that describe them.
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const notAfter = new Date(notBefore);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);

    const { publicKey, privateKey } = await newRsaKey('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    const certificate = selfSignedCertificate({ publicJwk: jwk, privateKey }, org.name || org.displayName, randomSerial(), notBefore, notAfter);
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

    const kid = kidPrefix + randomBase62(17);
    const created = now.toISOString();
    const record: SigningKeyRecord = {
      kid,
      ownerType: 'app',
      ownerId: appId,
      alg: 'RS256',
      status: 'ACTIVE',
      privateCiphertext: await vault.seal(orgId, privateKeyPem, sealContext(kid)),
      publicJwk: {
        kty: 'RSA', kid, use: 'sig', e: jwk.e, n: jwk.n,
        x5c: [certificate.toString('base64')],
        'x5t#S256': createHash('sha256').update(certificate).digest('base64url'),
        expiresAt: notAfter.toISOString(),
        created,
        lastUpdated: created,
      },
      certificate: pem('CERTIFICATE', certificate),
      created,
      activated: created,
      retired: null,
      deleteAfter: null,
    };
    await store.forOrg(orgId).signingKeys.insert(record);
    return record;
  }

  /** The app's keys, oldest first. */
  const list = async (orgId: string, appId: string): Promise<SigningKeyRecord[]> => (await rows(orgId, appId)).map(exposed);

  /** One of the app's keys; `resource.not_found` (Key) when the app has no such key. */
  async function get(orgId: string, appId: string, kid: string): Promise<SigningKeyRecord> {
    const row = await findRow(orgId, appId, kid);
    if (!row) throw notFound('Key', kid);
    return exposed(row);
  }

  /** The app's newest key, generating one when it has none. Not for use inside a transaction. */
  async function ensure(orgId: string, appId: string): Promise<SigningKeyRecord> {
    const all = await rows(orgId, appId);
    const newest = all[all.length - 1];
    return newest ? exposed(newest) : generate(orgId, appId);
  }

  /**
   * The private key and certificate to sign with: the given key, or without one the app's newest
   * (generated when it has none). Not for use inside a transaction.
   */
  async function signingMaterial(orgId: string, appId: string, kid?: string): Promise<SigningMaterial> {
    const row = kid === undefined ? (await rows(orgId, appId)).at(-1) ?? await generate(orgId, appId) : await findRow(orgId, appId, kid);
    if (!row || !row.certificate) throw notFound('Key', kid ?? appId);
    const id = publicKid(row);
    return {
      kid: id,
      privateKeyPem: await vault.openText(orgId, row.privateCiphertext, sealContext(id)),
      certificatePem: row.certificate,
      certificateBase64: pemBody(row.certificate),
    };
  }

  /**
   * Copies a key to another app of the org (Okta's clone). `resource.not_found` for an unknown
   * key or target app; a validation error when the target already has the key.
   */
  async function clone(orgId: string, sourceAppId: string, kid: string, targetAppId: string): Promise<SigningKeyRecord> {
    const scoped = store.forOrg(orgId);
    const source = await findRow(orgId, sourceAppId, kid);
    if (!source) throw notFound('Key', kid);
    if (!(await scoped.apps.findById(targetAppId))) throw notFound('AppInstance', targetAppId);
    if (await findRow(orgId, targetAppId, kid)) throw alreadyThere();
    const now = clock.now().toISOString();
    // Same org, same sealing context: the sealed private key is copied as it is.
    const copy: SigningKeyRecord = { ...source, kid: cloneRowKid(kid, targetAppId), ownerId: targetAppId, created: now, activated: now };
    try {
      await scoped.signingKeys.insert(copy);
    } catch (error) {
      // The same clone made by a concurrent request: the row's key is taken.
      if (await findRow(orgId, targetAppId, kid)) throw alreadyThere();
      throw error;
    }
    return exposed(copy);
  }

  /** Deletes every key of the app (on app deletion); pass the transaction's store to run inside it. */
  async function remove(orgId: string, appId: string, within: Store = store): Promise<number> {
    const scoped = within.forOrg(orgId);
    const all = await rows(orgId, appId, within);
    for (const row of all) await scoped.signingKeys.delete(row.kid);
    return all.length;
  }

  return { generate, ensure, list, get, signingMaterial, clone, remove };
}

export type AppKeyService = ReturnType<typeof createAppKeyService>;
