// A test worker: a fresh Authority per request, with crypto.subtle.sign replaced to count calls
// and, per `?mode=`, to reject or to sign wrongly (subtle-faults.js; webcrypto.test.mjs).
import { Authority } from "../../../pkg/authority/workerd.js";
import { faultySubtle } from "./subtle-faults.js";

export default {
  async fetch(request, env) {
    const mode = new URL(request.url).searchParams.get("mode");
    const faults = faultySubtle(mode);
    try {
      const origin = "https://app.example";
      const authority = new Authority({ issuer: env.ISSUER, audience: "api", signingKeys: [JSON.parse(env.PRIVATE_JWK)], allowedOrigins: [origin] });
      const post = (path, cookie) => new Request(`${env.ISSUER}${path}`, { method: "POST", headers: { origin, "tessera-request": "1", ...(cookie ? { cookie } : {}) } });
      const statuses = [];
      const access = [];
      let response = await authority.login(post("/auth/login"), { sub: "alice", scope: "read" });
      for (let i = 0; i < 3; i++) {
        statuses.push(response.status);
        const cookie = response.headers.get("set-cookie")?.split(";")[0];
        access.push((await response.json()).access_token);
        if (i < 2) response = await authority.refresh(post("/auth/refresh", cookie));
      }
      return Response.json({ statuses, access, calls: faults.calls.sign });
    } finally {
      faults.restore();
    }
  },
};
