/** A compiled SQL92 property filter: parsed once, matched against many messages' properties. */
import type { SqlNode } from './sql-ast';
import { compileCondition, type Properties } from './sql-evaluator';
import { parseSql92 } from './sql-parser';
import { EvaluationFailure } from './sql-values';

export interface CompiledSqlFilter {
  readonly expression: string;
  readonly ast: SqlNode;
  /**
   * Whether a message with these properties matches: only when the expression is TRUE. Unknown
   * (a missing property) and a failed evaluation (a property that does not convert) never match.
   */
  matches(properties: Properties): boolean;
  /** The three-valued result (true, false, null = unknown); 'failed' when a conversion failed. */
  evaluate(properties: Properties): boolean | null | 'failed';
}

/** Parses and compiles `expression`; ERR_SUBSCRIPTION_PARSE_FAILED naming position and token when it is bad. */
export function compileSql92(expression: string): CompiledSqlFilter {
  const ast = parseSql92(expression);
  const condition = compileCondition(ast);
  const evaluate = (properties: Properties): boolean | null | 'failed' => {
    try {
      return condition(properties);
    } catch (err) {
      // RocketMQ drops the message when evaluation throws (a property that is not a number).
      if (err instanceof EvaluationFailure) return 'failed';
      throw err;
    }
  };
  return Object.freeze({
    expression,
    ast,
    evaluate,
    matches: (properties: Properties) => evaluate(properties) === true,
  });
}

