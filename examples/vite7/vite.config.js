export default {
  // The dev server's dependency optimizer would move tessera-auth's JavaScript away from its .wasm.
  optimizeDeps: { exclude: ["tessera-auth"] },
};
