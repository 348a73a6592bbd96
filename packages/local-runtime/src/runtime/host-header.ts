import { isIP } from 'node:net';

/** What the runtime checks in a request's `Host`: for the runtime's own pages, that it names this machine. */

/** `host` of `host:port`, `[::1]:port` or `host`, lower-cased, brackets and a trailing dot removed. */
const hostNameOf = (host: string): string => {
  const trimmed = host.trim().toLowerCase();
  const name = trimmed.startsWith('[') ? trimmed.slice(1, trimmed.indexOf(']')) : trimmed.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
};

/**
 * Whether a request's Host names this machine as the runtime listens: `localhost` (and `*.localhost`, which resolve to
 * loopback), an IP address, or the `--host` it was started with. A page of another origin that makes its own name
 * resolve to 127.0.0.1 (DNS rebinding) sends that name as Host, and is refused; an IP address or `localhost` cannot be
 * rebound. As Vite's and webpack-dev-server's `allowedHosts` do. A request without Host (HTTP/1.0) comes from no
 * browser and is taken.
 */
export const isLocalHost = (host: string | undefined, listenHost: string): boolean => {
  if (host === undefined) return true;
  const name = hostNameOf(host);
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || name === hostNameOf(listenHost);
};
