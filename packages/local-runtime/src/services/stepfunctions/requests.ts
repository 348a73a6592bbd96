import { missing, SfnError, validationError } from './errors.ts';

export type Request = Record<string, unknown>;

/** A string member; a missing required one is the model's ValidationException, another JSON type a parse error. */
export const requiredString = (request: Request, field: string): string => {
  const value = optionalString(request, field);
  if (value === undefined) throw missing(field);
  return value;
};

export const optionalString = (request: Request, field: string): string | undefined => {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new SfnError('SerializationException', `Unexpected value type for '${field}': expected a string`);
  }
  return value;
};

/** A string member's length limits from the API model (sensitive members such as `input` do not echo the value). */
export const checkLength = (field: string, value: string, max: number, options: { sensitive?: boolean } = {}) => {
  const shown = options.sensitive ? 'Value' : `Value '${value}'`;
  if (value.length < 1) {
    throw validationError(
      `${shown} at '${field}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (value.length > max) {
    throw validationError(
      `${shown} at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
};

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * One page of a list (`maxResults` 0-1000, 0 meaning the default of 100; `nextToken` as the previous page gave it,
 * anything else is InvalidToken).
 */
export const page = <T>(items: T[], request: Request): { items: T[]; nextToken?: string } => {
  const raw = request.maxResults;
  let size = DEFAULT_PAGE;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'number' || !Number.isInteger(raw)) {
      throw new SfnError('SerializationException', "Unexpected value type for 'maxResults': expected an integer");
    }
    if (raw < 0 || raw > MAX_PAGE) {
      const bound = raw < 0 ? 'greater than or equal to 0' : `less than or equal to ${MAX_PAGE}`;
      throw validationError(
        `Value '${raw}' at 'maxResults' failed to satisfy constraint: Member must have value ${bound}`,
      );
    }
    if (raw > 0) size = raw;
  }
  const token = optionalString(request, 'nextToken');
  let start = 0;
  if (token !== undefined) {
    const decoded = /^page:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
    if (!decoded || Number(decoded[1]) > items.length) throw new SfnError('InvalidToken', `Invalid Token: '${token}'`);
    start = Number(decoded[1]);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    ...(end < items.length ? { nextToken: Buffer.from(`page:${end}`).toString('base64url') } : {}),
  };
};
