import { checkConnection, parseQueueUrl, redactUrl, scrub } from '../src/connection';
import { JobsError } from '../src/errors';
import { describeWithRedis, freePort, TestRedis } from './redis-server';

const PASSWORD = 's3cr#t/pa:ss';
const ENCODED = encodeURIComponent(PASSWORD);

describe('parseQueueUrl', () => {
  test('host, port and database', () => {
    const c = parseQueueUrl('redis://10.0.0.5:6390/3');
    expect(c.options).toEqual({ host: '10.0.0.5', port: 6390, db: 3 });
    expect(c.display).toBe('redis://10.0.0.5:6390/3');
  });

  test('defaults: port 6379, database 0', () => {
    const c = parseQueueUrl('redis://queue.local');
    expect(c.options).toEqual({ host: 'queue.local', port: 6379, db: 0 });
    expect(c.display).toBe('redis://queue.local:6379/0');
  });

  test('password (URL-encoded) and user; the display form holds neither', () => {
    const c = parseQueueUrl(`redis://:${ENCODED}@127.0.0.1:7000/1`);
    expect(c.options.password).toBe(PASSWORD);
    expect(c.options.username).toBeUndefined();
    expect(c.display).toBe('redis://127.0.0.1:7000/1');
    const u = parseQueueUrl(`redis://alice:${ENCODED}@127.0.0.1:7000`);
    expect(u.options.username).toBe('alice');
    expect(u.options.password).toBe(PASSWORD);
    expect(u.display).not.toContain('alice');
  });

  test('rediss:// turns TLS on with the host as server name', () => {
    const c = parseQueueUrl(`rediss://:${ENCODED}@cache.example:6380/2`);
    expect(c.options.tls).toEqual({ servername: 'cache.example' });
    expect(c.display).toBe('rediss://cache.example:6380/2');
    expect(parseQueueUrl('rediss://10.0.0.5:6380').options.tls).toEqual({}); // no IP address as SNI server name
  });

  test.each([
    ['http://127.0.0.1:6379', 'scheme must be redis:// or rediss://'],
    ['redis://127.0.0.1:6379/queue', 'path must be a database number'],
    ['127.0.0.1:6379', 'scheme must be redis:// or rediss://'],
    ['redis://a b', 'not a URL'],
    ['redis://127.0.0.1:6379/0?tls=1', 'query strings'],
  ])('bad URL %s', (url, why) => {
    expect(() => parseQueueUrl(url)).toThrow(JobsError);
    expect(() => parseQueueUrl(url)).toThrow(why);
  });

  test('errors about a bad URL never show its password', () => {
    for (const url of [`http://:${ENCODED}@h:1`, `redis://:${ENCODED}@h:1/x`, `redis://:${PASSWORD}@h:1/0`]) {
      let message = '';
      try {
        parseQueueUrl(url);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain(ENCODED);
      expect(message).not.toContain('s3cr');
    }
  });

  test('redactUrl and scrub', () => {
    expect(redactUrl(`redis://:${ENCODED}@h:1/0`)).toBe('redis://h:1/0');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
    const c = parseQueueUrl(`redis://:${ENCODED}@h:1/0`);
    expect(scrub(`auth ${PASSWORD} and ${ENCODED}`, c)).toBe('auth *** and ***');
  });
});

describeWithRedis('checkConnection against a real redis-server', () => {
  const open = new TestRedis();
  const locked = new TestRedis(['--requirepass', PASSWORD]);
  beforeAll(async () => {
    await open.start();
    await locked.start();
  });
  afterAll(async () => {
    await open.destroy();
    await locked.destroy();
  });

  test('a reachable server and database pass', async () => {
    const r = await checkConnection(parseQueueUrl(`${open.url}/5`));
    expect(r.redisVersion).toMatch(/^\d+\.\d+/);
  });

  test('an unreachable URL is UNREACHABLE, naming host and port', async () => {
    const port = await freePort();
    await expect(checkConnection(parseQueueUrl(`redis://127.0.0.1:${port}/0`), 2000)).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining(`cannot reach Redis at redis://127.0.0.1:${port}/0`),
    });
  });

  test('a database index the server does not have is BAD_DB, with the range it has', async () => {
    await expect(checkConnection(parseQueueUrl(`${open.url}/99`))).rejects.toMatchObject({
      code: 'BAD_DB',
      message: expect.stringMatching(/has no database 99 .*databases 0-15/),
    });
  });

  test('the right password passes; a wrong or missing one is AUTH_FAILED and never echoed', async () => {
    const url = `redis://:${ENCODED}@127.0.0.1:${locked.port}/0`;
    await expect(checkConnection(parseQueueUrl(url))).resolves.toBeDefined();
    const wrong = 'wr0ng-pa55';
    const err = await checkConnection(parseQueueUrl(`redis://:${wrong}@127.0.0.1:${locked.port}/0`)).catch((e) => e);
    expect(err).toMatchObject({ code: 'AUTH_FAILED' });
    expect(err.message).not.toContain(wrong);
    const none = await checkConnection(parseQueueUrl(`redis://127.0.0.1:${locked.port}/0`)).catch((e) => e);
    expect(none).toMatchObject({ code: 'AUTH_FAILED' });
    expect(none.message).toContain('needs a password');
  });
});
