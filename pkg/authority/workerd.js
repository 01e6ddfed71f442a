// tessera-auth/authority on Cloudflare Workers (bundled: dist/authority/web/workerd.js).
export * from "../dist/authority/web/workerd.js";
