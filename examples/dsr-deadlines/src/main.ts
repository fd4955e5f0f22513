import { deadlineTable } from "./deadlines.js";

const receivedAt = process.argv[2] ? new Date(process.argv[2]) : new Date();
console.table(deadlineTable(receivedAt));
