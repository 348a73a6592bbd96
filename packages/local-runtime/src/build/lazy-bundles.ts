import { type BuildFunctionsOptions, type BuiltFunction, buildFunctions, bundleFiles } from './build.ts';

/**
 * The template's esbuild bundles, each built when its function is first invoked rather than before the first
 * request: start-up does not grow with the template. A bundle the cache holds unchanged is reused (see
 * build-cache.ts); concurrent first invocations share one build. A failed build is not kept: like Lambda, which runs
 * a failed init again on the next invocation, the next invocation builds again (the source may have been fixed).
 */
export class LazyBundles {
  /** Logical id → where its bundle will be (the file an environment imports once it is built). */
  readonly files: Record<string, string>;
  /** The functions' entry points (`--watch` watches their folders before any bundle names its other sources). */
  readonly entries: string[];
  private readonly building = new Map<string, Promise<BuiltFunction>>();
  private readonly done = new Map<string, BuiltFunction>();
  /** Told of each bundle built or reused on a first invocation (`--watch` watches its sources from then on). */
  onBuilt: (fn: BuiltFunction) => void = () => {};

  private readonly templatePath: string;
  private readonly options: BuildFunctionsOptions;
  private readonly log: (line: string) => void;

  constructor(templatePath: string, options: BuildFunctionsOptions, log: (line: string) => void) {
    this.templatePath = templatePath;
    this.options = options;
    this.log = log;
    const planned = Object.entries(bundleFiles(templatePath, options));
    this.files = Object.fromEntries(planned.map(([logicalId, files]) => [logicalId, files.outfile]));
    this.entries = planned.map(([, files]) => files.entry);
  }

  /** The bundles built so far (their metafiles name their sources). */
  get built(): BuiltFunction[] {
    return [...this.done.values()];
  }

  /** The function's bundle, built now unless it is built already or in the cache unchanged. */
  bundle(logicalId: string): Promise<string> {
    const done = this.done.get(logicalId);
    if (done) return Promise.resolve(done.outfile);
    let building = this.building.get(logicalId);
    if (!building) {
      const started = performance.now();
      building = buildFunctions(this.templatePath, { ...this.options, only: [logicalId] }).then(
        ([fn]) => {
          if (!fn) throw new Error(`${logicalId} is not an esbuild function of the template`);
          return fn;
        },
        (error: Error) => {
          // esbuild's own message (the cause), on one line: the file, line and column of each error.
          const message = (error.cause instanceof Error ? error.cause : error).message.replaceAll('\n', ' ');
          throw new Error(`esbuild could not bundle ${logicalId}: ${message}`);
        },
      );
      this.building.set(logicalId, building);
      building.then(
        (fn) => {
          this.building.delete(logicalId);
          this.done.set(logicalId, fn);
          this.log(
            `[build] ${logicalId} ${fn.cached ? 'unchanged, bundle reused' : 'bundled'} in ${Math.round(performance.now() - started)} ms (on its first invocation)`,
          );
          this.onBuilt(fn);
        },
        (error: Error) => {
          this.building.delete(logicalId);
          this.log(`[build] ${error.message} (its invocations fail until it builds)`);
        },
      );
    }
    return building.then((fn) => fn.outfile);
  }

  /** Rebuilt elsewhere (`--watch`): these bundles are current. */
  rebuilt(functions: BuiltFunction[]): void {
    for (const fn of functions) this.done.set(fn.logicalId, fn);
  }
}
