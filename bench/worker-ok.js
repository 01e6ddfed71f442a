// Bench worker: the floor — workerd + loopback HTTP + Miniflare, no Tessera.
export default {
  fetch() {
    return new Response("ok");
  },
};
