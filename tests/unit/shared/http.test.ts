import { corsHeaders, json } from '#shared/http';

/** The functions' CORS headers follow the stage's AllowedOrigin (template.yaml StageConfig → ALLOWED_ORIGIN). */
describe('the response helper CORS headers', () => {
  const saved = process.env.ALLOWED_ORIGIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.ALLOWED_ORIGIN;
    else process.env.ALLOWED_ORIGIN = saved;
  });

  it('sends the configured origin, not *', () => {
    process.env.ALLOWED_ORIGIN = 'https://shop.example.com';
    expect(json(200, { ok: true }).headers).toEqual({
      'Content-Type': 'application/json',
      'Access-Control-Allow-Origin': 'https://shop.example.com',
      'Access-Control-Allow-Headers': 'Content-Type,Authorization,X-Api-Key,Idempotency-Key',
      'Access-Control-Allow-Methods': 'GET,POST,OPTIONS',
    });
  });

  it('keeps * where the stage allows any origin (dev)', () => {
    process.env.ALLOWED_ORIGIN = '*';
    expect(corsHeaders()['Access-Control-Allow-Origin']).toBe('*');
  });

  it('sends no Access-Control-Allow-Origin at all when no origin is configured (fails closed)', () => {
    delete process.env.ALLOWED_ORIGIN;
    expect(corsHeaders()).not.toHaveProperty('Access-Control-Allow-Origin');
    process.env.ALLOWED_ORIGIN = '  ';
    expect(corsHeaders()).not.toHaveProperty('Access-Control-Allow-Origin');
  });

  it('lets a handler header win over the defaults', () => {
    process.env.ALLOWED_ORIGIN = 'https://shop.example.com';
    expect(json(201, {}, { Location: '/x' }).headers).toMatchObject({ Location: '/x' });
  });
});
