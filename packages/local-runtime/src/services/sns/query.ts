import { keyed } from '../../shared/client-keyed.ts';
import { escapeXml } from '../shared/query-protocol.ts';
import type { SnsInput, SnsOutput } from './operations.ts';

export const SNS_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

type Tree = { [key: string]: Tree | string };

/**
 * The query protocol's parameters as SNS nests them (SNS API reference, "Query requests"): lists as
 * `Name.member.N...`, maps as `Name.entry.N.Name`/`.Value...` (`key`/`value` for string maps such as Attributes).
 */
export const parseSnsParameters = (flat: Record<string, string>): SnsInput => {
  const root: Tree = keyed();
  for (const [key, value] of Object.entries(flat)) {
    const path = key.split('.');
    let node = root;
    for (const [index, part] of path.entries()) {
      if (index === path.length - 1) {
        node[part] = value;
        break;
      }
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const created: Tree = keyed();
        node[part] = created;
        node = created;
      }
    }
  }
  return normalise(root) as SnsInput;
};

const byIndex = (tree: Tree): (Tree | string)[] =>
  Object.entries(tree)
    .filter(([index]) => /^\d+$/.test(index))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, item]) => item);

const normalise = (node: Tree | string): unknown => {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const only = keys.length === 1 ? keys[0] : undefined;
  const inner = only === undefined ? undefined : node[only];
  if (only === 'member' && typeof inner === 'object') return byIndex(inner).map(normalise);
  if (only === 'entry' && typeof inner === 'object') {
    const map = keyed<unknown>();
    for (const entry of byIndex(inner)) {
      if (typeof entry !== 'object') continue;
      const name = entry.Name ?? entry.key;
      const value = entry.Value ?? entry.value;
      if (typeof name === 'string' && value !== undefined) map[name] = normalise(value);
    }
    return map;
  }
  const object = keyed<unknown>();
  for (const key of keys) {
    const child = node[key];
    if (child !== undefined) object[key] = normalise(child);
  }
  return object;
};

/** Fields SNS answers as maps (`<entry><key/><value/></entry>`); other objects are structures. */
const MAPS = new Set(['Attributes']);

const element = (name: string, value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((item) => element('member', item)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const content = MAPS.has(name)
      ? entries.map(([key, item]) => `<entry><key>${escapeXml(key)}</key>${element('value', item)}</entry>`).join('')
      : entries.map(([key, item]) => element(key, item)).join('');
    return `<${name}>${content}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
};

/** An operation's result as the content of its `<Action>Result` element. */
export const resultXml = (output: SnsOutput): string =>
  Object.entries(output)
    .map(([name, value]) => element(name, value))
    .join('');
