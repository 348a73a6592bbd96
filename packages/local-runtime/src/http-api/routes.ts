import { keyed } from '../shared/client-keyed.ts';
import type { HttpRoute } from './model.ts';

export interface HttpRouteMatch {
  route: HttpRoute;
  pathParameters: Record<string, string>;
}

interface Compiled {
  route: HttpRoute;
  segments: string[];
  greedy: boolean;
}

const splitPath = (path: string): string[] => path.split('/').slice(1);

/**
 * Sort key of a route: a route without a greedy variable comes before one with it; then, segment by segment from the
 * left, a literal segment before a variable; then an exact method before ANY.
 */
const specificity = (compiled: Compiled): number[] => [
  compiled.greedy ? 1 : 0,
  ...compiled.segments.map((segment) => (segment.startsWith('{') ? 1 : 0)),
  compiled.route.method === 'ANY' ? 1 : 0,
];

const compare = (a: number[], b: number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
};

const matchSegments = (compiled: Compiled, parts: string[]): Record<string, string> | undefined => {
  const parameters = keyed<string>();
  const { segments, greedy } = compiled;
  const fixed = greedy ? segments.length - 1 : segments.length;
  if (greedy ? parts.length < segments.length : parts.length !== segments.length) return undefined;
  for (let i = 0; i < fixed; i++) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    const variable = /^\{([^}+]+)\}$/.exec(segment)?.[1];
    if (variable) {
      if (part === '') return undefined;
      parameters[variable] = part;
    } else if (segment !== part) return undefined;
  }
  if (greedy) {
    const name = /^\{(.+)\+\}$/.exec(segments.at(-1) as string)?.[1] as string;
    const rest = parts.slice(fixed).join('/');
    if (rest === '') return undefined;
    parameters[name] = rest;
  }
  return parameters;
};

/**
 * HTTP API route selection (developer guide, "Working with routes for HTTP APIs", routing API requests): the most
 * specific full match for path and method, then a match through a greedy path variable (`{proxy+}`), then `$default`;
 * no match is 404 Not Found. Paths are case-sensitive; a greedy variable matches one segment or more.
 */
export const createHttpRouter = (routes: HttpRoute[]) => {
  const compiled: Compiled[] = routes
    .filter((route) => route.path !== undefined)
    .map((route) => {
      const segments = splitPath(route.path as string);
      return { route, segments, greedy: /^\{.+\+\}$/.test(segments.at(-1) ?? '') };
    })
    .sort((a, b) => compare(specificity(a), specificity(b)));
  const fallback = routes.find((route) => route.routeKey === '$default');
  return (method: string, path: string): HttpRouteMatch | undefined => {
    const parts = splitPath(path);
    for (const candidate of compiled) {
      if (candidate.route.method !== 'ANY' && candidate.route.method !== method) continue;
      const pathParameters = matchSegments(candidate, parts);
      if (pathParameters) return { route: candidate.route, pathParameters };
    }
    return fallback ? { route: fallback, pathParameters: {} } : undefined;
  };
};
