import { keyed } from '../../shared/client-keyed.ts';
import type { Operation } from '../model.ts';

export interface RouteMatch {
  operation: Operation;
  pathParameters: Record<string, string>;
}

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface CompiledRoute {
  operation: Operation;
  segments: Segment[];
  /** Lower is more specific, compared segment by segment. */
  rank: number[];
}

const rankOf = (segments: Segment[]): number[] =>
  segments.map((segment) => (segment.kind === 'literal' ? 0 : segment.kind === 'param' ? 1 : 2));

const compile = (resourcePath: string): Segment[] =>
  resourcePath
    .split('/')
    .filter(Boolean)
    .map((part): Segment => {
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy?.[1]) return { kind: 'greedy', name: greedy[1] };
      const param = /^\{(.+)\}$/.exec(part);
      if (param?.[1]) return { kind: 'param', name: param[1] };
      return { kind: 'literal', text: part };
    });

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/**
 * Matches a request path against the API's resources as API Gateway does: a literal segment beats a `{param}`,
 * which beats a greedy `{proxy+}` (which needs at least one segment); an operation for the exact method beats
 * `ANY` on the same resource. Segments are compared before decoding; path parameters are decoded.
 */
export const createRouter = (operations: Operation[]) => {
  const routes: CompiledRoute[] = operations.map((operation) => {
    const segments = compile(operation.resourcePath);
    return { operation, segments, rank: rankOf(segments) };
  });

  const matchSegments = (segments: Segment[], parts: string[]): Record<string, string> | undefined => {
    const parameters = keyed<string>();
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as Segment;
      if (segment.kind === 'greedy') {
        if (i >= parts.length) return undefined;
        parameters[segment.name] = decode(parts.slice(i).join('/'));
        return parameters;
      }
      const part = parts[i];
      if (part === undefined || part === '') return undefined;
      if (segment.kind === 'literal') {
        if (segment.text !== part && segment.text !== decode(part)) return undefined;
      } else {
        parameters[segment.name] = decode(part);
      }
    }
    return segments.length === parts.length ? parameters : undefined;
  };

  const compareRanks = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const difference = (a[i] ?? -1) - (b[i] ?? -1);
      if (difference !== 0) return difference;
    }
    return 0;
  };
  const ordered = [...routes].sort((a, b) => compareRanks(a.rank, b.rank));

  return (method: string, path: string): RouteMatch | undefined => {
    const parts = path.split('/').slice(1);
    // One trailing slash names the same resource (`/dev/` is the root resource `/`, `/dev/items/` is `/items`).
    if (parts.at(-1) === '') parts.pop();
    let best: RouteMatch | undefined;
    let bestRank: number[] | undefined;
    for (const route of ordered) {
      if (bestRank && compareRanks(route.rank, bestRank) !== 0) break;
      if (route.operation.method !== method && route.operation.method !== 'ANY') continue;
      const pathParameters = matchSegments(route.segments, parts);
      if (!pathParameters) continue;
      if (!best || (best.operation.method === 'ANY' && route.operation.method === method)) {
        best = { operation: route.operation, pathParameters };
        bestRank = route.rank;
      }
    }
    return best;
  };
};
