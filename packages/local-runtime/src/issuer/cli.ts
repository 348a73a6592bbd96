import { parseArgs } from 'node:util';

/** `sam-local-runtime token --sub alice --scope "read write"`: a token from the running local runtime. */
const USAGE = `Usage: sam-local-runtime token --sub <subject> [options]

  --sub NAME        the user the token is for (required)
  --scope "A B"     space-separated scopes, e.g. "read write" (what your authorizers check)
  --use access|id   access token (default) or ID token (a Cognito authorizer on a method without OAuth
                    scopes takes ID tokens, one with scopes access tokens)
  --aud A           the audience (repeatable; default: the template's app client id)
  --expires N       lifetime in seconds (default 3600, at most 86400)
  --claim k=v       an extra claim (repeatable)
  --url URL         the local runtime (default $LOCAL_API_URL or http://127.0.0.1:3000)

Prints only the token: TOKEN=$(sam-local-runtime token --sub alice --scope write)`;

const fail = (message: string, code: number): never => {
  process.stderr.write(`sam-local-runtime token: ${message}\n`);
  process.exit(code);
};

let values: {
  sub?: string;
  scope?: string;
  use?: string;
  expires?: string;
  claim?: string[];
  aud?: string[];
  url?: string;
  help?: boolean;
} = {};
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      scope: { type: 'string' },
      use: { type: 'string' },
      expires: { type: 'string' },
      claim: { type: 'string', multiple: true },
      aud: { type: 'string', multiple: true },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.sub) fail(`--sub is required\n\n${USAGE}`, 2);
const claims: Record<string, string> = {};
for (const pair of values.claim ?? []) {
  const eq = pair.indexOf('=');
  if (eq <= 0) fail(`--claim takes key=value, got "${pair}"`, 2);
  claims[pair.slice(0, eq)] = pair.slice(eq + 1);
}
const base = (values.url ?? process.env.LOCAL_API_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const body = {
  sub: values.sub,
  scope: values.scope,
  token_use: values.use ?? 'access',
  expires_in: values.expires === undefined ? undefined : Number(values.expires),
  claims,
  ...(values.aud && values.aud.length > 0 ? { aud: values.aud.length === 1 ? values.aud[0] : values.aud } : {}),
};
const response = await fetch(`${base}/_local/issuer/token`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
}).catch(() =>
  fail(
    `cannot reach the local runtime at ${base}: is the local runtime running? (sam-local-runtime start, or npm start in a project that wraps it)`,
    1,
  ),
);
const answer = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
if (!response.ok || !answer.token) fail(answer.message ?? `the issuer answered ${response.status}`, 1);
process.stdout.write(`${answer.token}\n`);
