import { lawfulVitestProject } from "../../scripts/build/vitest-project.js";

export default lawfulVitestProject("example-audit-offline-verify");
