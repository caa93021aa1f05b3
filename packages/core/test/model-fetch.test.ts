/** Fetching a served model's files: what a failed request and an error status say, in the caller's error class. */
import { GatewaveError, fetchModelFile, joinUrl, loadModelMetadataFromUrl, type Fetch } from '../src';

/** A server that answers every request with `status` (200: an empty JSON object). */
const answering =
  (status: number, statusText = ''): Fetch =>
  async () => ({
    ok: status === 200,
    status,
    statusText,
    text: async () => '{}',
    arrayBuffer: async () => new ArrayBuffer(0),
  });
const unreachable: Fetch = async () => {
  throw new Error('connect ECONNREFUSED');
};

class PackageError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

test('joinUrl puts one slash between the folder and the file', () => {
  expect(joinUrl('http://h/m', 'model.json')).toBe('http://h/m/model.json');
  expect(joinUrl('http://h/m//', 'model.json')).toBe('http://h/m/model.json');
});

test("core's model loader names the file and says what to serve", async () => {
  await expect(loadModelMetadataFromUrl('http://h/m/', answering(404, 'Not Found'))).rejects.toThrow(
    new GatewaveError(
      'MODEL_NOT_FOUND',
      'no model at http://h/m/model.json: the server answered 404 Not Found for model.json. Serve a directory written by saveModel there.',
    ),
  );
  await expect(loadModelMetadataFromUrl('http://h/m', unreachable)).rejects.toThrow(
    'cannot fetch model.json from http://h/m/model.json (connect ECONNREFUSED); check the model URL and that the server is running.',
  );
});

test("a package's report: its error class, its kind of model and what to serve", async () => {
  const report = { error: PackageError, kind: 'thing', serve: '; serve one there.' };
  const missing = fetchModelFile('http://h/x.json', answering(500), report);
  await expect(missing).rejects.toBeInstanceOf(PackageError);
  await expect(missing).rejects.toMatchObject({
    code: 'MODEL_NOT_FOUND',
    message: 'no thing at http://h/x.json: the server answered 500; serve one there.',
  });
  await expect(fetchModelFile('http://h/x.json', unreachable, report)).rejects.toMatchObject({
    message: 'cannot fetch http://h/x.json (connect ECONNREFUSED); check the model URL and that the server is running.',
  });
  expect(await (await fetchModelFile('http://h/x.json', answering(200), report)).text()).toBe('{}');
});
