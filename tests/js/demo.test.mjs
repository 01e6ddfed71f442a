// End-to-end tests of the demo (www/) in Debian Chromium: the worker in workerd with the
// Authority on its Durable Object store. The scenarios are in demo-scenarios.mjs.
import { demoWorker } from "../../www/serve.mjs";
import { demoSuite } from "./demo-scenarios.mjs";

demoSuite(
  "demo",
  async ({ port, accessTtl }) => {
    const mf = demoWorker({ port, accessTtl });
    await mf.ready;
    return () => mf.dispose();
  },
  { screenshot: "demo-after-refresh.png" },
);
