// The evaluator's questionnaire page (filled in below).
export {};
