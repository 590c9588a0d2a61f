/**
 * The syntax tree of an SQL92 filter expression, and a printer whose output parses back to the
 * same tree (fully parenthesised, so precedence never changes a reprint).
 *
 * Values follow RocketMQ's Java types: integers are longs (bigint here), decimals are doubles
 * (number), strings, booleans, and null (a missing property or the NULL literal).
 */
export type SqlValue = null | boolean | string | bigint | number;

export type ComparisonOperator = '=' | '<>' | '>' | '>=' | '<' | '<=';
export type StringTest = 'CONTAINS' | 'STARTSWITH' | 'ENDSWITH';

export type SqlNode =
  | { readonly kind: 'literal'; readonly value: SqlValue }
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'negate'; readonly operand: SqlNode }
  | { readonly kind: 'not'; readonly operand: SqlNode }
  | { readonly kind: 'logical'; readonly operator: 'AND' | 'OR'; readonly left: SqlNode; readonly right: SqlNode }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly left: SqlNode; readonly right: SqlNode }
  | { readonly kind: 'isNull'; readonly operand: SqlNode; readonly negated: boolean }
  | { readonly kind: 'in'; readonly operand: SqlNode; readonly values: readonly string[]; readonly negated: boolean }
  | { readonly kind: 'between'; readonly operand: SqlNode; readonly low: SqlNode; readonly high: SqlNode; readonly negated: boolean }
  | { readonly kind: 'stringTest'; readonly test: StringTest; readonly operand: SqlNode; readonly pattern: string; readonly negated: boolean };

/** Nodes whose value is always a boolean or null (RocketMQ's BooleanExpression). */
export function isBooleanNode(node: SqlNode): boolean {
  switch (node.kind) {
    case 'literal':
      return node.value === null || typeof node.value === 'boolean';
    case 'property':
    case 'negate':
      return false;
    default:
      return true;
  }
}

export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function printLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return quoteSqlString(value);
  if (typeof value === 'bigint') return value.toString();
  const text = String(value);
  // A double must not reprint as an integer literal (5 -> 5.0).
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** Prints `node` as an expression that parses back to an equal tree. */
export function printSql(node: SqlNode): string {
  switch (node.kind) {
    case 'literal':
      return printLiteral(node.value);
    case 'property':
      return node.name;
    case 'negate':
      return `(-${printSql(node.operand)})`;
    case 'not':
      return `(NOT ${printSql(node.operand)})`;
    case 'logical':
    case 'compare':
      return `(${printSql(node.left)} ${node.operator} ${printSql(node.right)})`;
    case 'isNull':
      return `(${printSql(node.operand)} IS ${node.negated ? 'NOT ' : ''}NULL)`;
    case 'in':
      return `(${printSql(node.operand)} ${node.negated ? 'NOT ' : ''}IN (${node.values.map(quoteSqlString).join(', ')}))`;
    case 'between':
      return `(${printSql(node.operand)} ${node.negated ? 'NOT ' : ''}BETWEEN ${printSql(node.low)} AND ${printSql(node.high)})`;
    case 'stringTest':
      return `(${printSql(node.operand)} ${node.negated ? 'NOT ' : ''}${node.test} ${quoteSqlString(node.pattern)})`;
  }
}
