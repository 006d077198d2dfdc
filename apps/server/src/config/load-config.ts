// Builds the configuration from its four layers and reports the first bad value as one line that
// names the key and where it came from.
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { configKeys, configSchema, defaults, type ServerConfig } from './schema.js';

export class ConfigError extends Error {}

export interface LoadedConfig {
  config: ServerConfig;
  help: boolean;
  version: boolean;
}

type Key = keyof typeof configKeys;
type Layer = Partial<Record<Key, unknown>>;

function fromFile(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${path} must be a YAML mapping of keys to values`);
  for (const key of Object.keys(doc)) {
    if (!(key in configKeys)) throw new ConfigError(`invalid configuration: unknown key "${key}" in ${path} (known: ${Object.keys(configKeys).join(', ')})`);
  }
  return doc as Layer;
}

function fromEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const [key, spec] of Object.entries(configKeys) as [Key, (typeof configKeys)[Key]][]) {
    const value = env[spec.env];
    if (value !== undefined && value !== '') layer[key] = value;
  }
  return layer;
}

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const flagOptions: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'v' },
  };
  const flagToKey = new Map<string, Key>();
  for (const [key, spec] of Object.entries(configKeys) as [Key, (typeof configKeys)[Key]][]) {
    if (spec.flag) {
      flagOptions[spec.flag.slice(2)] = { type: 'boolean' in spec ? 'boolean' : 'string' };
      flagToKey.set(spec.flag.slice(2), key);
    }
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: flagOptions, strict: true, allowPositionals: false });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split('\n')[0]} (see --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const flags: Layer = {};
  for (const [flag, key] of flagToKey) if (values[flag] !== undefined) flags[key] = values[flag];

  const configPath = (values.config as string | undefined) ?? env.LYNX_CONFIG;
  const file = configPath ? fromFile(resolve(cwd, configPath)) : {};
  const envLayer = fromEnv(env);
  const merged = { ...defaults, ...file, ...envLayer, ...flags };

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = String(issue.path[0] ?? '');
    const spec = configKeys[key as Key];
    const source = key in flags ? spec?.flag : key in envLayer ? spec?.env : key in file ? `${configPath}` : 'default';
    // Passwords (the admin's, the one inside an SMTP URL) never reach the error line.
    const shown = spec?.secret ? undefined : merged[key as Key];
    throw new ConfigError(
      `invalid configuration: ${key} (from ${source}) ${issue.message}${shown === undefined ? '' : `, got ${JSON.stringify(shown)}`}`,
    );
  }
  const dataDir = isAbsolute(result.data.dataDir) ? result.data.dataDir : resolve(cwd, result.data.dataDir);
  const config: ServerConfig = {
    ...result.data,
    dataDir,
    databaseUrl: result.data.databaseUrl ?? `file:${join(dataDir, 'aam.db')}`,
  };
  return { config, help: values.help === true, version: values.version === true };
}

export function helpText(): string {
  const lines = [
    'Usage: lynx-server [options]',
    '',
    'Starts the on-premise Lynx server: REST API, MQTT broker, storage and time series.',
    'Settings come from defaults, then --config <file.yaml>, then environment, then flags.',
    '',
    'Options:',
    '  -c, --config <path>        YAML file with any of the keys below (LYNX_CONFIG)',
  ];
  for (const [key, spec] of Object.entries(configKeys)) {
    const flag = spec.flag ? ('boolean' in spec ? spec.flag : `${spec.flag} <value>`) : '';
    lines.push(`  ${flag.padEnd(27)}${spec.help}`);
    lines.push(`  ${''.padEnd(27)}env ${spec.env}, file key ${key}`);
  }
  lines.push('  -h, --help                 show this help', '  -v, --version              print the version');
  return lines.join('\n');
}
