import { describeConsentStoreContract } from "../testing/index.js";
import { createMemoryConsentStore } from "./memory.js";

describeConsentStoreContract({ name: "memory", create: () => createMemoryConsentStore() });
