// tessera-auth/node-http: fetch-style handlers in Node's own HTTP server.
export * from "./node-http.cjs";
