// tessera-auth/verify on Cloudflare Workers (bundled: dist/verify/web/workerd.js).
export * from "../dist/verify/web/workerd.js";
