/**
 * SQL92 property filters (RocketMQ ExpressionType.SQL92): parse once, match many messages.
 * docs/filters.md describes the syntax and semantics.
 */
export type { SqlNode, SqlValue, ComparisonOperator, StringTest } from './sql-ast';
export { printSql, quoteSqlString } from './sql-ast';
export { parseSql92 } from './sql-parser';
export { tokenize } from './sql-lexer';
export type { Token } from './sql-lexer';
export type { Properties } from './sql-evaluator';
export { compileSql92 } from './sql-filter';
export type { CompiledSqlFilter } from './sql-filter';
