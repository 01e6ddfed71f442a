export default {
  // The dev server's dependency optimizer would move tessera-auth's JavaScript away from its .wasm.
  optimizeDeps: { exclude: ["tessera-auth"] },
  // Top-level await (the entries instantiate their WebAssembly module before exporting).
  build: { target: "es2022" },
};
