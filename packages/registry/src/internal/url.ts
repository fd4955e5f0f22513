import * as z from "zod";

/** An absolute http(s) URL — never `javascript:` or `data:`, since URLs end up in public HTML links. */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: "must be an absolute http or https URL" });
