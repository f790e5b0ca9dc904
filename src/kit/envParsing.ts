import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A configuration mistake: one line naming the variable and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
    hint?: string,
  ) {
    super(`Invalid configuration: ${variable} ${detail}${hint ? ` (${hint})` : ''}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** One schema per environment variable, with the hint printed when it is wrong. */
export type EnvSpec = Record<string, { readonly schema: z.ZodType; readonly hint: string; readonly secret?: boolean }>;
export type EnvOutput<S extends EnvSpec> = { [K in keyof S]: z.output<S[K]['schema']> };

/**
 * Checks every variable of `spec`, in order; the first mistake throws a ConfigError.
 * Empty strings count as unset, as a shell user would expect of `VAR= npm start`.
 */
export function parseEnv<S extends EnvSpec>(spec: S, env: Env): EnvOutput<S> {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(spec)) {
    const { schema, hint, secret } = spec[name]!;
    const raw = env[name];
    const result = schema.safeParse(raw === '' ? undefined : raw);
    if (!result.success) {
      // A secret's value is never echoed: the error line lands in terminals and log collectors.
      const shown = raw === undefined || secret ? '' : `=${JSON.stringify(raw)}`;
      throw new ConfigError(`${name}${shown}`, result.error.issues[0]?.message ?? 'is invalid', hint);
    }
    values[name] = result.data;
  }
  return values as EnvOutput<S>;
}

/** A PEM file's contents, or a ConfigError naming the variable. */
export function readPem(variable: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(variable, `cannot be read from ${file}: ${(error as Error).message}`, 'point it at a readable PEM file');
  }
  if (!text.includes('-----BEGIN ')) {
    throw new ConfigError(variable, `file ${file} is not PEM`, 'it must contain a -----BEGIN ...----- block');
  }
  return text;
}

/** Value schemas the chat server's and the load balancer's environments share. */
export const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 1 and 65535 (or 0: a free port the system picks)')
  .max(65535, 'must be between 1 and 65535 (or 0: a free port the system picks)');

export const positiveInt = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const positiveNumber = z.coerce.number({ error: 'must be a number' }).positive('must be above 0');

export const boundedNumber = (min: number, max: number) =>
  z.coerce.number({ error: 'must be a number' }).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

export const secret = z
  .string()
  .min(1, 'must not be empty')
  .max(512, 'must be at most 512 characters')
  .refine((v) => !/\s/.test(v), 'must not contain whitespace');
