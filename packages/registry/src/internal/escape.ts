/** Escape text for HTML and XML text and attribute values (&, <, >, ", ', CR). Strips characters XML 1.0 forbids; lone surrogates become U+FFFD. */
export function escapeXml(value: string): string {
  return value
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
    // XML parsers turn a literal CR into LF; a character reference keeps it
    .replace(/\r/g, "&#13;");
}
