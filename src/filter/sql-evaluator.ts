/**
 * Turns a parsed SQL92 tree into a tree of closures, built once per subscription, so matching a
 * message is a few function calls over its properties with no re-parsing or tree walking by kind.
 *
 * Three-valued logic as RocketMQ (ActiveMQ's selector): a comparison with a missing property gives
 * null (unknown); NOT null is null; AND/OR treat null as unknown; a message matches only when the
 * whole expression is TRUE.
 */
import type { ComparisonOperator, SqlNode, SqlValue } from './sql-ast';
import { compareValues, javaDouble, sameValue } from './sql-values';

export type Properties = Readonly<Record<string, string>>;
export type Evaluate = (properties: Properties) => SqlValue;
type Condition = (properties: Properties) => boolean | null;

export function compileNode(node: SqlNode): Evaluate {
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return () => value;
    }
    case 'property': {
      const name = node.name;
      return (properties) => (Object.hasOwn(properties, name) ? (properties[name] as string) : null);
    }
    case 'negate': {
      const operand = compileNode(node.operand);
      return (properties) => {
        const value = operand(properties);
        return typeof value === 'bigint' || typeof value === 'number' ? -value : null;
      };
    }
    case 'not': {
      const operand = compileCondition(node.operand);
      return (properties) => {
        const value = operand(properties);
        return value === null ? null : !value;
      };
    }
    case 'logical':
      return node.operator === 'AND'
        ? and(compileCondition(node.left), compileCondition(node.right))
        : or(compileCondition(node.left), compileCondition(node.right));
    case 'compare':
      return compileComparison(node.operator, compileNode(node.left), compileNode(node.right));
    case 'isNull': {
      const operand = compileNode(node.operand);
      const negated = node.negated;
      return (properties) => (operand(properties) === null) !== negated;
    }
    case 'in': {
      const operand = compileNode(node.operand);
      const values = new Set(node.values);
      const negated = node.negated;
      return (properties) => {
        const value = operand(properties);
        return typeof value === 'string' ? values.has(value) !== negated : null;
      };
    }
    case 'between': {
      const operand = compileNode(node.operand);
      const low = compileNode(node.low);
      const high = compileNode(node.high);
      // As RocketMQ builds them: x >= low AND x <= high; NOT BETWEEN is x < low OR x > high.
      return node.negated
        ? or(compileComparison('<', operand, low), compileComparison('>', operand, high))
        : and(compileComparison('>=', operand, low), compileComparison('<=', operand, high));
    }
    case 'stringTest': {
      const operand = compileNode(node.operand);
      const pattern = node.pattern;
      const negated = node.negated;
      const test = node.test === 'CONTAINS' ? (s: string) => s.includes(pattern)
        : node.test === 'STARTSWITH' ? (s: string) => s.startsWith(pattern)
          : (s: string) => s.endsWith(pattern);
      return (properties) => {
        const value = operand(properties);
        if (value === null) return null;
        return typeof value === 'string' ? test(value) !== negated : false;
      };
    }
  }
}

/** A node in a boolean context: a bare property is cast (RocketMQ: present -> FALSE, missing -> null). */
export function compileCondition(node: SqlNode): Condition {
  const evaluate = compileNode(node);
  return (properties) => {
    const value = evaluate(properties);
    if (value === null) return null;
    return typeof value === 'boolean' ? value : false;
  };
}

function and(left: Condition, right: Condition): Condition {
  return (properties) => {
    const l = left(properties);
    if (l === false) return false;
    const r = right(properties);
    if (r === false) return false;
    return l === null || r === null ? null : true;
  };
}

function or(left: Condition, right: Condition): Condition {
  return (properties) => {
    const l = left(properties);
    if (l === true) return true;
    const r = right(properties);
    if (r === true) return true;
    return l === null || r === null ? null : false;
  };
}

function compileComparison(operator: ComparisonOperator, left: Evaluate, right: Evaluate): Condition {
  if (operator === '=') return (properties) => equals(left(properties), right(properties));
  if (operator === '<>') {
    return (properties) => {
      const value = equals(left(properties), right(properties));
      return value === null ? null : !value;
    };
  }
  const holds = operator === '>' ? (c: number) => c > 0
    : operator === '>=' ? (c: number) => c >= 0
      : operator === '<' ? (c: number) => c < 0
        : (c: number) => c <= 0;
  return (properties) => {
    const l = left(properties);
    if (l === null) return null;
    const r = right(properties);
    if (r === null) return null;
    // Two strings (two properties) are ordered as doubles, or the evaluation fails.
    if (typeof l === 'string' && typeof r === 'string') return holds(compareValues(javaDouble(l), javaDouble(r)));
    return holds(compareValues(l, r));
  };
}

/** RocketMQ's equality: a missing left side is unknown, a missing right side is FALSE. */
function equals(l: SqlValue, r: SqlValue): boolean | null {
  if (l === null) return r === null ? true : null;
  if (r === null) return false;
  if (sameValue(l, r)) return true;
  return compareValues(l, r) === 0;
}
