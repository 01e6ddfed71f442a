// `node build.mjs`: webpack's Node API (the `webpack` command of webpack-cli takes the same config).
import webpack from "webpack";
import config from "./webpack.config.js";

webpack(config, (error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString("errors-only"));
    process.exitCode = 1;
  }
});
