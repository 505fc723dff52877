import { describe, expect, it } from "vitest";
import { paramsFor, parseParams, stripComments } from "./params";

describe("parseParams", () => {
  it("finds each {{name}} once, in order", () => {
    expect(parseParams("select * from t where a = {{country}} and b > {{ since }} or c = {{country}}")).toEqual([
      "country",
      "since",
    ]);
  });

  it("accepts letters, digits and underscores, not starting with a digit", () => {
    expect(parseParams("{{a1}} {{_b}} {{1x}} {{a-b}} {{ }} {{a b}} {x} {{{c}}}")).toEqual(["a1", "_b", "c"]);
  });

  it("ignores placeholders in comments but not in strings", () => {
    const sql = "-- {{old}}\nselect '{{label}}' /* {{gone}}\n {{still_gone}} */, {{n}} -- {{tail}}";
    expect(parseParams(sql)).toEqual(["label", "n"]);
  });

  it("does not treat -- inside a string as a comment", () => {
    expect(parseParams("select '--', {{a}}, 'it''s -- {{b}}'")).toEqual(["a", "b"]);
  });

  it("handles an unterminated comment or string", () => {
    expect(parseParams("select {{a}} /* {{b}}")).toEqual(["a"]);
    expect(parseParams("select {{a}}, 'x {{b}}")).toEqual(["a", "b"]);
  });

  it("is empty without placeholders", () => {
    expect(parseParams("select 1")).toEqual([]);
    expect(parseParams("")).toEqual([]);
  });
});

describe("stripComments", () => {
  it("keeps lines and positions", () => {
    const sql = "a -- x\nb /* y\nz */ c";
    const out = stripComments(sql);
    expect(out).toHaveLength(sql.length);
    expect(out.split("\n")).toHaveLength(3);
    expect(out.replace(/\s+/g, " ").trim()).toBe("a b c");
  });
});

describe("paramsFor", () => {
  it("sends a value for every name, empty when untyped, and drops stale ones", () => {
    expect(paramsFor(["a", "b"], { a: "1", old: "x" })).toEqual({ a: "1", b: "" });
  });
});
