import { createMemoryRegistryStore } from "./memory.js";
import { describeRegistryStoreContract } from "../testing/index.js";

describeRegistryStoreContract({ name: "memory", create: () => createMemoryRegistryStore() });
