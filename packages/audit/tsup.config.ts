import { lawfulTsup } from "../../scripts/build/tsup-config.js";

export default lawfulTsup(import.meta.url);
