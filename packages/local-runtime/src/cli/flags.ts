/**
 * SAM CLI's flags of `sam local start-api`, `invoke` and `start-lambda` (1.164: samcli/commands/local/cli_common/
 * options.py, samcli/commands/_utils/options.py, samcli/cli/main.py, samcli/cli/cli_config_file.py), with what this
 * runtime does with each: served, accepted and ignored (a flag about containers: one line says so, so scripts keep
 * working), or refused (exit 2: a flag that means something here, which the runtime does not do).
 */
export type FlagKind = 'string' | 'boolean' | 'list' | 'nargs';

export interface Flag {
  /** The long name without dashes (`env-vars`); its samconfig key is the same with underscores (`env_vars`). */
  name: string;
  short?: string;
  /** Other spellings, dashes included (`--template-file`, `-ii`). */
  aliases?: string[];
  /** `string`: one value; `list`: repeatable; `nargs`: every value up to the next flag (SAM CLI's OptionNargs). */
  kind: FlagKind;
  /** A boolean that also has a negative spelling: `--no-<name>`, or `negative` when SAM CLI names it otherwise. */
  negatable?: boolean;
  negative?: string;
  /** Read from this environment variable when not on the command line, as SAM CLI's option does. */
  env?: string;
  /** Other samconfig keys for it (SAM CLI reads `template` as well as `template_file`). */
  configKeys?: string[];
  /** Placeholder in the usage (`FILE`). */
  value?: string;
  help: string;
  choices?: string[];
  /** Accepted and ignored: why, said in one line when it is given. */
  ignored?: string;
  /** Refused when given (exit 2): why. */
  refused?: string;
}

const CONTAINERS = 'there are no containers: functions run in worker threads and processes on this machine';

const container = (name: string, kind: FlagKind, help: string, extra: Partial<Flag> = {}): Flag => ({
  name,
  kind,
  help,
  ignored: CONTAINERS,
  ...extra,
});

/** SAM CLI's `invoke_common_options` (start-api and invoke): the template, the values it runs with, debugging. */
export const invokeCommonFlags: Flag[] = [
  {
    name: 'template',
    short: 't',
    aliases: ['--template-file'],
    kind: 'string',
    env: 'SAM_TEMPLATE_FILE',
    configKeys: ['template_file'],
    value: 'FILE',
    help: 'SAM template (default: .aws-sam/build/template.yaml when it is newer than the template, else template.yaml, template.yml or template.json)',
  },
  {
    name: 'env-vars',
    short: 'n',
    kind: 'string',
    value: 'FILE',
    help: 'JSON {"Parameters": {...}, "<Function>": {...}} (or .env) values for the variables functions declare',
  },
  {
    name: 'parameter-overrides',
    kind: 'nargs',
    value: "'K=V ...'",
    help: "template parameter values, 'Key=Value' or ParameterKey=Key,ParameterValue=Value, over samconfig.toml's",
  },
  {
    name: 'debug-port',
    short: 'd',
    kind: 'list',
    env: 'SAM_DEBUG_PORT',
    value: 'N',
    help: 'start the function (--debug-function) with its debugger listening on port N',
  },
  { name: 'debugger-path', kind: 'string', value: 'DIR', help: 'a debugger to run the function under' },
  {
    name: 'debug-args',
    kind: 'string',
    env: 'DEBUGGER_ARGS',
    value: 'S',
    help: "arguments for the function's debugger",
  },
  container('container-env-vars', 'string', "variables for a debugging session's container", { value: 'FILE' }),
  container('docker-volume-basedir', 'string', "where the template is on Docker's machine", {
    short: 'v',
    env: 'SAM_DOCKER_VOLUME_BASEDIR',
    value: 'DIR',
  }),
  {
    name: 'log-file',
    short: 'l',
    kind: 'string',
    value: 'FILE',
    help: "write the log (requests, functions' output) to FILE instead of the terminal",
  },
  {
    name: 'layer-cache-basedir',
    kind: 'string',
    env: 'SAM_LAYER_CACHE_BASEDIR',
    value: 'DIR',
    help: 'where downloaded layers go',
    ignored: 'layers are not downloaded: a function runs with the code of its CodeUri and the host',
  },
  container('skip-pull-image', 'boolean', 'do not pull the Lambda runtime image', { env: 'SAM_SKIP_PULL_IMAGE' }),
  container('docker-network', 'string', 'the Docker network for the containers', {
    env: 'SAM_DOCKER_NETWORK',
    value: 'NAME',
  }),
  container('force-image-build', 'boolean', 'rebuild the image of functions with layers', {
    env: 'SAM_FORCE_IMAGE_BUILD',
  }),
];

/** SAM CLI's `service_common_options` (start-api: 3000, start-lambda: 3001). */
export const serviceFlags = (port: number): Flag[] => [
  { name: 'host', kind: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
  {
    name: 'port',
    short: 'p',
    kind: 'string',
    value: 'N',
    help: `port to listen on (default ${port}; 0 picks a free port)`,
  },
];

/** SAM CLI's `warm_containers_common_options` (start-api and start-lambda). */
export const warmContainerFlags: Flag[] = [
  {
    name: 'warm-containers',
    kind: 'string',
    choices: ['EAGER', 'LAZY'],
    value: 'EAGER|LAZY',
    help: 'how containers are kept',
    ignored: "every function's execution environments stay warm between invocations already (no containers)",
  },
  {
    name: 'debug-function',
    kind: 'string',
    value: 'ID',
    help: 'the function (logical id) --debug-port, --debug-args and --debugger-path apply to',
  },
  {
    name: 'watch',
    kind: 'boolean',
    negatable: true,
    help: 'rebuild or restart functions when their sources or the template change (default; --no-watch: never)',
  },
];

/** SAM CLI's `local_common_options` (start-api, invoke, start-lambda): all about the containers. */
export const localCommonFlags: Flag[] = [
  {
    name: 'shutdown',
    kind: 'boolean',
    help: 'emulate a shutdown event after the invocation',
    ignored: 'Lambda extensions are not run, so there is no shutdown event to send',
  },
  container('container-host', 'string', "the containers' host", { value: 'HOST' }),
  container('container-host-interface', 'string', 'the interface container ports bind to', { value: 'IP' }),
  container('add-host', 'list', "a host:IP line for the containers' hosts file", { value: 'HOST:IP' }),
  container('container-dns', 'list', 'a DNS server for the containers', { value: 'IP' }),
  container('invoke-image', 'list', 'the container image to invoke functions in', { aliases: ['-ii'], value: 'URI' }),
  container('no-memory-limit', 'boolean', "run the containers without the function's memory limit"),
];

/** `--config-file`, `--config-env`, `--save-params` (samcli/cli/cli_config_file.py). */
export const configFlags: Flag[] = [
  {
    name: 'config-file',
    kind: 'string',
    value: 'FILE',
    help: 'samconfig file (default samconfig.toml beside the template; a relative path is from there)',
  },
  {
    name: 'config-env',
    kind: 'string',
    value: 'NAME',
    help: 'its environment for default values (default "default")',
  },
  {
    name: 'save-params',
    kind: 'boolean',
    help: 'save the command line to samconfig',
    refused:
      'samconfig.toml is not written by this runtime (it would lose its comments): add the values to it yourself',
  },
];

/** The options every SAM CLI command has, and the Terraform hooks of the local commands. */
export const frameworkFlags: Flag[] = [
  {
    name: 'region',
    kind: 'string',
    value: 'REGION',
    help: "the stack's region (default: samconfig's region, else $AWS_REGION, else us-east-1)",
  },
  {
    name: 'profile',
    kind: 'string',
    value: 'NAME',
    help: 'AWS credentials profile',
    ignored: "functions get the local endpoints' credentials: no AWS account is used",
  },
  { name: 'debug', kind: 'boolean', help: "SAM CLI's debug logging", ignored: 'the log always says what happened' },
  {
    name: 'beta-features',
    kind: 'boolean',
    negatable: true,
    help: "SAM CLI's beta features",
    ignored: 'there are no beta features',
  },
  {
    name: 'hook-name',
    kind: 'string',
    value: 'NAME',
    help: 'a hook package (terraform)',
    refused: 'hook packages (Terraform projects) are not supported: give a SAM template',
  },
  {
    name: 'skip-prepare-infra',
    kind: 'boolean',
    negatable: true,
    negative: 'prepare-infra',
    help: 'with --hook-name only',
    ignored: 'used with --hook-name only',
  },
  {
    name: 'terraform-plan-file',
    kind: 'string',
    value: 'FILE',
    help: 'a Terraform plan (with --hook-name terraform)',
    refused: 'hook packages (Terraform projects) are not supported: give a SAM template',
  },
  {
    name: 'language-extensions',
    kind: 'boolean',
    negatable: true,
    help: 'expand AWS::LanguageExtensions (Fn::ForEach...)',
    refused: 'AWS::LanguageExtensions (Fn::ForEach, Fn::Length, Fn::ToJsonString) is not expanded by this runtime',
  },
];

export const helpFlag: Flag = { name: 'help', short: 'h', kind: 'boolean', help: 'this text' };

/** `sam local start-api`'s own flags. */
export const startApiFlags: Flag[] = [
  {
    name: 'static-dir',
    short: 's',
    kind: 'string',
    value: 'DIR',
    help: 'files served at / when no API route takes the path (default public, beside the template)',
  },
  {
    name: 'disable-authorizer',
    kind: 'boolean',
    help: 'do not run Lambda authorizers: their methods and routes take every request (Cognito, JWT, IAM stay)',
  },
  {
    name: 'ssl-cert-file',
    kind: 'string',
    value: 'FILE',
    help: 'serve HTTPS with this certificate',
    refused: 'HTTPS is not served: put a TLS proxy in front of the port',
  },
  {
    name: 'ssl-key-file',
    kind: 'string',
    value: 'FILE',
    help: 'the certificate key',
    refused: 'HTTPS is not served: put a TLS proxy in front of the port',
  },
];

/** SAM CLI's flags of each local command (besides what a command adds of its own: invoke's --event...). */
export const samLocalFlags = (command: 'start-api' | 'invoke' | 'start-lambda'): Flag[] => {
  const shared = [...localCommonFlags, ...configFlags, ...frameworkFlags];
  if (command === 'invoke') {
    const symlinks = container('mount-symlinks', 'boolean', "mount symlinks' targets into the container", {
      negatable: true,
    });
    return [...invokeCommonFlags, symlinks, ...shared];
  }
  if (command === 'start-lambda')
    return [...serviceFlags(3001), ...invokeCommonFlags, ...warmContainerFlags, ...shared];
  return [...serviceFlags(3000), ...startApiFlags, ...invokeCommonFlags, ...warmContainerFlags, ...shared];
};

/** The samconfig keys a flag is read from: `env_vars` for `--env-vars`, and its other keys. */
export const configKeysOf = (flag: Flag): string[] => [flag.name.replaceAll('-', '_'), ...(flag.configKeys ?? [])];
