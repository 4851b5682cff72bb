import { validateRecord, type FieldPolicy, type Validation } from "../m1/validate-record.js";
import { isProblem, nameSources } from "./field-map.js";
import type { Mapper } from "./index.js";

/**
 * Maps one parsed line and checks the result against SPEC.md section 1 like any other record. A
 * violation names both the M1 field and where it came from (`status (from res.statusCode): expected an
 * integer 100–599, got the number 0`), in its reason and in the kind it is counted under.
 */
export function validateMapped(value: unknown, mapper: Mapper, policy: FieldPolicy): Validation {
  const mapped = mapper(value);
  if (isProblem(mapped)) return { ok: false, kind: mapped.kind, reason: mapped.problem };
  const result = validateRecord(mapped.record, policy);
  if (result.ok) return result;
  return {
    ok: false,
    kind: nameSources(result.kind, mapped.sources),
    reason: nameSources(result.reason, mapped.sources),
  };
}
