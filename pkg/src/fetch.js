// Fetching what the core asks for, within its byte budget: the body is read as a stream and the
// read stops (the stream is cancelled) one byte past the budget, so a huge or endless answer
// costs at most that much memory; bodies of answers other than 200 are not read at all.

/**
 * `GET url` → `{ status, body }` (`status` 0 when the request failed or timed out). At most
 * `maxBytes + 1` bytes of a 200 body are kept; the core refuses a body over `maxBytes`.
 */
export async function fetchCapped(url, maxBytes, timeoutMs) {
  let response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json, application/jwk-set+json" },
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return { status: 0, body: new Uint8Array(0) };
  }
  if (response.status !== 200 || response.body === null) {
    await response.body?.cancel().catch(() => {});
    return { status: response.status, body: new Uint8Array(0) };
  }
  try {
    return { status: 200, body: await readCapped(response.body, maxBytes + 1) };
  } catch {
    return { status: 0, body: new Uint8Array(0) };
  }
}

/** At most `limit` bytes of `stream`; the stream is cancelled when more would follow. */
export async function readCapped(stream, limit) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.byteLength, limit - size);
      chunks.push(take === value.byteLength ? value : value.subarray(0, take));
      size += take;
    }
    // Not awaited: cancelling one branch of a tee (a cloned Request's body) settles only once
    // the other branch is cancelled too, which may be never.
    if (size >= limit) reader.cancel().catch(() => {});
  } finally {
    reader.releaseLock();
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
