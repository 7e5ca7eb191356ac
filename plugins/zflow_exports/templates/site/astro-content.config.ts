// zflow: the blog collection of exported posts. Each entry is src/content/blog/<slug>.md with its images in
// src/content/blog/<slug>/; the schema's image() processes the cover, and Astro optimises the Markdown images.
import { defineCollection, z } from "astro:content";
import { glob } from "astro/loaders";

const blog = defineCollection({
  loader: glob({ pattern: "*.md", base: "./src/content/blog" }),
  schema: ({ image }) =>
    z.object({
      title: z.string(),
      pubDate: z.coerce.date(),
      description: z.string(),
      lang: z.string().default("en"),
      cover: image(),
      coverAlt: z.string(),
    }),
});

export const collections = { blog };
