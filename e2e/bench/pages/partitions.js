// The peers' load path: the same manifest and Arrow IPC partition streams the Quiver app reads,
// from the same server, with the same token and the same four downloads in flight.

const token = new URLSearchParams(location.search).get('token');
const headers = { Authorization: `Bearer ${token}` };

async function get(url) {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response;
}

// Yields each partition of `table` as the bytes of one Arrow IPC stream, in manifest order, with
// up to four downloads in flight (as `app/src/load.rs` does).
export async function* partitions(table) {
  const t = encodeURIComponent(table);
  const manifest = await (await get(`/api/tables/${t}/partitions`)).json();
  const ids = manifest.partitions.map((p) => p.id);
  const download = (id) =>
    get(`/api/tables/${t}/partitions/${encodeURIComponent(id)}`).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b));
  const inFlight = [];
  let next = 0;
  while (inFlight.length < 4 && next < ids.length) inFlight.push(download(ids[next++]));
  while (inFlight.length > 0) {
    const bytes = await inFlight.shift();
    if (next < ids.length) inFlight.push(download(ids[next++]));
    yield bytes;
  }
}
