// require("tessera-auth/node-http") in Node (CommonJS; compiled, never run).
import { createServer } from "node:http";
import { toNodeListener } from "tessera-auth/node-http";

createServer(toNodeListener((request) => Response.json({ url: request.url }), { maxBodyBytes: 1024 })).listen(0);

// @ts-expect-error a wrong option type: onError is a function
toNodeListener(() => null, { onError: "log" });
