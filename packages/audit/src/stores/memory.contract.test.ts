import { createMemoryKeyStore } from "@lawful/core";
import { describeAuditStoreContract, describeKeyStoreContract } from "../testing/index.js";
import { createMemoryAuditStore } from "./memory.js";

describeAuditStoreContract({ name: "memory", create: () => createMemoryAuditStore() });
describeKeyStoreContract({ name: "core memory", create: () => createMemoryKeyStore() });
