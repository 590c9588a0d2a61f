/**
 * Recursive-descent parser for RocketMQ's SQL92 selector subset. Precedence, loosest first:
 *
 *   expression := and (OR and)*
 *   and        := not (AND not)*
 *   not        := NOT not | equality                       (standard SQL; see docs/filters.md)
 *   equality   := comparison ( ('=' | '<>' | '!=') comparison | IS [NOT] NULL )*
 *   comparison := unary ( ('>' | '>=' | '<' | '<=') unary
 *                       | [NOT] BETWEEN unary AND unary
 *                       | [NOT] IN '(' string (',' string)* ')'
 *                       | [NOT] (CONTAINS | STARTSWITH | ENDSWITH) string )*
 *   unary      := ('+' | '-') unary | primary
 *   primary    := literal | identifier | '(' expression ')'
 *
 * The operand checks RocketMQ makes while building its tree are made here, so a bad expression is
 * refused at subscribe time rather than silently matching nothing: ordering comparisons and BETWEEN
 * take numbers (or properties), `= NULL` is refused (IS NULL is the way), IN needs a property, and
 * boolean contexts (AND, OR, NOT, the whole expression) need a condition or a property.
 */
import { type ComparisonOperator, isBooleanNode, type SqlNode, type StringTest } from './sql-ast';
import { sqlSyntaxError } from './sql-errors';
import { compareValues } from './sql-values';
import { type Keyword, type Operator, type Token, tokenize } from './sql-lexer';

const ORDERING: ReadonlySet<string> = new Set(['>', '>=', '<', '<=']);
const STRING_TESTS: ReadonlySet<string> = new Set(['CONTAINS', 'STARTSWITH', 'ENDSWITH']);
const NEGATABLE: ReadonlySet<string> = new Set(['BETWEEN', 'IN', ...STRING_TESTS]);

export function parseSql92(source: string): SqlNode {
  return new Parser(source).parseExpression();
}

class Parser {
  readonly #source: string;
  readonly #tokens: Token[];
  #index = 0;

  constructor(source: string) {
    this.#source = source;
    this.#tokens = tokenize(source);
  }

  parseExpression(): SqlNode {
    if (this.#peek().kind === 'end') throw this.#error(this.#peek(), 'the expression is empty');
    const first = this.#peek();
    const node = this.#or();
    const next = this.#peek();
    if (next.kind !== 'end') throw this.#error(next, 'expected AND, OR or the end of the expression');
    return this.#asCondition(node, first);
  }

  #or(): SqlNode {
    const start = this.#peek();
    let left = this.#and();
    while (this.#isKeyword('OR')) {
      this.#next();
      const rightStart = this.#peek();
      left = { kind: 'logical', operator: 'OR', left: this.#asCondition(left, start), right: this.#asCondition(this.#and(), rightStart) };
    }
    return left;
  }

  #and(): SqlNode {
    const start = this.#peek();
    let left = this.#not();
    while (this.#isKeyword('AND')) {
      this.#next();
      const rightStart = this.#peek();
      left = { kind: 'logical', operator: 'AND', left: this.#asCondition(left, start), right: this.#asCondition(this.#not(), rightStart) };
    }
    return left;
  }

  #not(): SqlNode {
    if (!this.#isKeyword('NOT')) return this.#equality();
    this.#next();
    const start = this.#peek();
    return { kind: 'not', operand: this.#asCondition(this.#not(), start) };
  }

  #equality(): SqlNode {
    let left = this.#comparison();
    for (;;) {
      const token = this.#peek();
      if (this.#isOperator('=') || this.#isOperator('<>') || this.#isOperator('!=')) {
        this.#next();
        const right = this.#comparison();
        this.#checkEqualOperands(left, right, token);
        left = { kind: 'compare', operator: token.text === '=' ? '=' : '<>', left, right };
      } else if (this.#isKeyword('IS')) {
        this.#next();
        const negated = this.#isKeyword('NOT');
        if (negated) this.#next();
        this.#expectKeyword('NULL', 'expected NULL or NOT NULL after IS');
        left = { kind: 'isNull', operand: left, negated };
      } else {
        return left;
      }
    }
  }

  #comparison(): SqlNode {
    let left = this.#unary();
    for (;;) {
      const token = this.#peek();
      if (token.kind === 'operator' && ORDERING.has(token.operator)) {
        this.#next();
        const right = this.#unary();
        this.#checkOrderingOperand(left, token);
        this.#checkOrderingOperand(right, token);
        left = { kind: 'compare', operator: token.operator as ComparisonOperator, left, right };
        continue;
      }
      const negated = token.kind === 'keyword' && token.keyword === 'NOT' && this.#isNegatableAhead();
      if (negated) this.#next();
      const operatorToken = this.#peek();
      if (operatorToken.kind !== 'keyword' || !NEGATABLE.has(operatorToken.keyword)) return left;
      this.#next();
      if (operatorToken.keyword === 'BETWEEN') left = this.#between(left, negated, operatorToken);
      else if (operatorToken.keyword === 'IN') left = this.#in(left, negated, operatorToken);
      else left = { kind: 'stringTest', test: operatorToken.keyword as StringTest, operand: left, pattern: this.#stringLiteral(`${operatorToken.keyword} takes a string literal`), negated };
    }
  }

  #between(operand: SqlNode, negated: boolean, at: Token): SqlNode {
    const low = this.#unary();
    this.#expectKeyword('AND', 'expected AND between the two bounds of BETWEEN');
    const high = this.#unary();
    for (const node of [operand, low, high]) this.#checkOrderingOperand(node, at);
    if (low.kind === 'literal' && high.kind === 'literal' && !negated) {
      // RocketMQ refuses an empty range when both bounds are constants.
      if (compareValues(low.value as bigint | number, high.value as bigint | number) > 0) {
        throw this.#error(at, `the lower bound of BETWEEN (${String(low.value)}) is greater than the upper bound (${String(high.value)})`);
      }
    }
    return { kind: 'between', operand, low, high, negated };
  }

  #in(operand: SqlNode, negated: boolean, at: Token): SqlNode {
    if (operand.kind !== 'property') throw this.#error(at, 'IN needs a property on its left');
    this.#expectOperator('(', 'expected "(" after IN');
    const values = [this.#stringLiteral('IN lists take string literals')];
    while (this.#isOperator(',')) {
      this.#next();
      values.push(this.#stringLiteral('IN lists take string literals'));
    }
    this.#expectOperator(')', 'expected "," or ")" in the IN list');
    return { kind: 'in', operand, values, negated };
  }

  #unary(): SqlNode {
    const token = this.#peek();
    if (this.#isOperator('+') || this.#isOperator('-')) {
      this.#next();
      const operand = this.#unary();
      if (token.text === '+') return operand;
      if (operand.kind === 'literal') {
        if (typeof operand.value === 'bigint' || typeof operand.value === 'number') return { kind: 'literal', value: -operand.value };
        throw this.#error(token, 'only numbers can be negated');
      }
      return { kind: 'negate', operand };
    }
    return this.#primary();
  }

  #primary(): SqlNode {
    const token = this.#next();
    switch (token.kind) {
      case 'string':
      case 'integer':
      case 'decimal':
        return { kind: 'literal', value: token.value };
      case 'identifier':
        return { kind: 'property', name: token.name };
      case 'keyword':
        if (token.keyword === 'TRUE') return { kind: 'literal', value: true };
        if (token.keyword === 'FALSE') return { kind: 'literal', value: false };
        if (token.keyword === 'NULL') return { kind: 'literal', value: null };
        break;
      case 'operator':
        if (token.operator === '(') {
          const inner = this.#or();
          this.#expectOperator(')', 'expected ")"');
          return inner;
        }
        break;
      case 'end':
        break;
    }
    throw this.#error(token, 'expected a value: a property name, a literal or "("');
  }

  /** Boolean contexts take conditions; a bare property is allowed (RocketMQ casts it). */
  #asCondition(node: SqlNode, at: Token): SqlNode {
    if (isBooleanNode(node) || node.kind === 'property') return node;
    throw this.#error(at, 'this expression is not a condition (it does not give true or false)');
  }

  #checkOrderingOperand(node: SqlNode, at: Token): void {
    const isNumberLiteral = node.kind === 'literal' && (typeof node.value === 'bigint' || typeof node.value === 'number');
    if (node.kind === 'literal' ? !isNumberLiteral : isBooleanNode(node)) {
      throw this.#error(at, `${at.text} compares numbers; strings, booleans, NULL and conditions cannot be ordered`);
    }
  }

  #checkEqualOperands(left: SqlNode, right: SqlNode, at: Token): void {
    for (const node of [left, right]) {
      if (node.kind === 'literal' && node.value === null) throw this.#error(at, 'NULL cannot be compared with = or <>; use IS NULL or IS NOT NULL');
    }
    if (left.kind === 'literal' && right.kind === 'literal' && (typeof left.value === 'boolean') !== (typeof right.value === 'boolean')) {
      throw this.#error(at, 'a boolean literal cannot be compared with a non-boolean literal');
    }
  }

  #stringLiteral(why: string): string {
    const token = this.#next();
    if (token.kind !== 'string') throw this.#error(token, why);
    return token.value;
  }

  #isNegatableAhead(): boolean {
    const after = this.#tokens[this.#index + 1];
    return after !== undefined && after.kind === 'keyword' && NEGATABLE.has(after.keyword);
  }

  #peek(): Token {
    return this.#tokens[this.#index] as Token;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #isKeyword(keyword: Keyword): boolean {
    const token = this.#peek();
    return token.kind === 'keyword' && token.keyword === keyword;
  }

  #isOperator(operator: Operator): boolean {
    const token = this.#peek();
    return token.kind === 'operator' && token.operator === operator;
  }

  #expectKeyword(keyword: Keyword, why: string): void {
    if (!this.#isKeyword(keyword)) throw this.#error(this.#peek(), why);
    this.#next();
  }

  #expectOperator(operator: Operator, why: string): void {
    if (!this.#isOperator(operator)) throw this.#error(this.#peek(), why);
    this.#next();
  }

  #error(token: Token, why: string): Error {
    return sqlSyntaxError(this.#source, token.position, token.text, why);
  }
}
