import { createMemoryDsrStore } from "./memory.js";
import { describeDsrStoreContract } from "../testing/index.js";

describeDsrStoreContract({ name: "memory", create: () => createMemoryDsrStore() });
