" Vim syntax file for Bilevel spec files (*.bl).
" Install: copy to ~/.vim/syntax/ and add
"   autocmd BufRead,BufNewFile *.bl setfiletype bilevel
" to your vimrc.

if exists("b:current_syntax")
  finish
endif

syn keyword bilevelTop        include network method train
syn keyword bilevelStatement  input dense loss states
syn keyword bilevelSetting    data batch epochs optimizer seed eval_every
syn keyword bilevelSetting    precision
syn keyword bilevelActivation identity relu hard_sigmoid hard_tanh
syn keyword bilevelActivation leaky_relu sigmoid tanh softmax
syn keyword bilevelBuiltin    mse softmax_cross_entropy post_activation
syn keyword bilevelBuiltin    pre_activation adam sgd float32 float64
syn keyword bilevelBuiltin    fashion_mnist
syn keyword bilevelMethod     bp lpom pcn fenchel_bp ep chl dualprop
syn keyword bilevelRecipe     layers all then infer
syn keyword bilevelRule       ovr eliminate_conjugate eliminate_quadratic
syn keyword bilevelRule       eliminate conjugate quadratic collapse
syn keyword bilevelRule       mix_input limit_bp limit
syn keyword bilevelBuiltin    backward forward auto fixed_point prox_gradient
syn keyword bilevelBoolean    true false

syn match   bilevelNumber  "\<\d\+\(\.\d*\)\=\([eE][+-]\=\d\+\)\=\>"
syn region  bilevelString  start=+"+ skip=+\\\\\|\\"+ end=+"+ oneline
syn match   bilevelComment "#.*$" contains=bilevelTodo
syn keyword bilevelTodo    contained TODO FIXME

hi def link bilevelTop        Keyword
hi def link bilevelStatement  Statement
hi def link bilevelSetting    Identifier
hi def link bilevelActivation Function
hi def link bilevelBuiltin    Constant
hi def link bilevelMethod     Type
hi def link bilevelRecipe     Statement
hi def link bilevelRule       Type
hi def link bilevelBoolean    Boolean
hi def link bilevelNumber     Number
hi def link bilevelString     String
hi def link bilevelComment    Comment
hi def link bilevelTodo       Todo

let b:current_syntax = "bilevel"
