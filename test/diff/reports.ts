// Two nights of reports, as JSON, shared by the diff tests.
import { fakeReport, fn, summary } from "../fake-report.js";

/** A report as another tool would read it: through JSON. */
export const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
export const codes = (...names: (string | null)[]) => ({
  errorCodes: names.map((code) => ({ code, count: 1 })),
});

export const lastNight = asJson(
  fakeReport(
    [
      fn("checkout", { OK: 95, VENDOR: 4, UNKNOWN: 1 }, "VENDOR", 0.8, codes("UPSTREAM_ERROR", null)),
      fn("legacy", { OK: 10 }, "OK"),
      fn("search", { OK: 50 }, "OK"),
    ],
    { overall: summary({ OK: 155, VENDOR: 4, UNKNOWN: 1 }, "VENDOR", 0.8) },
  ),
);
export const tonight = asJson(
  fakeReport(
    [
      fn("billing", { VENDOR: 3 }, "VENDOR", 1, codes("UPSTREAM_TIMEOUT")),
      fn(
        "checkout",
        { OK: 90, APPLICATION: 8, UNKNOWN: 2 },
        "APPLICATION",
        0.8,
        codes("UPSTREAM_ERROR", "INVALID_CART"),
      ),
      fn("search", { OK: 50 }, "OK"),
    ],
    { overall: summary({ OK: 140, VENDOR: 3, APPLICATION: 8, UNKNOWN: 2 }, "APPLICATION", 8 / 13) },
  ),
);
