/** What an integration answers, before the gateway writes it to the client. */
export interface IntegrationResult {
  status: number;
  headers: Record<string, string>;
  multiHeaders?: Record<string, string[]>;
  body: Buffer;
}

export const jsonResult = (status: number, body: unknown, headers: Record<string, string> = {}): IntegrationResult => ({
  status,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify(body)),
});
