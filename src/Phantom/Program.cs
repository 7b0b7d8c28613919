using LiverFlow.Phantom.Cli;

return PhantomCli.Run(args);
