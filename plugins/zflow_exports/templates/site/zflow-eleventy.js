// zflow: copies the exported posts' images (posts/<slug>/images/) to the built site. In eleventy.config.js:
//   import zflow from "./zflow-eleventy.js";  export default (config) => { config.addPlugin(zflow); };
export default function zflow(eleventyConfig) {
  eleventyConfig.addPassthroughCopy("posts/*/images/*");
}
